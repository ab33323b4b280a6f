"""The inbound IVR: menus from config, grievances registered and looked up, schemes heard."""
