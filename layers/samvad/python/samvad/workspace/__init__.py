"""The officials' workspace: who is who (roles and scopes from verified claims), what each
role may do (one permission table), and the use cases behind every route, each applying the
caller's scope inside its query. No AWS here: adapters come in through ``WorkspacePorts``."""
