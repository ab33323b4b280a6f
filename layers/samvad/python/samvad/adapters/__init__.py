"""boto3 adapters behind the domain's ports (``samvad.ports``), one module per resource.

Each takes an optional client (for tests). ``items`` holds what every DynamoDB adapter shares:
item conversion, the conditional-failure check and the ``Batches`` retry.

| module | resource | adapters |
| --- | --- | --- |
| ``visits`` | Visits table | ``DynamoVisits`` |
| ``contacts`` | Contacts table | ``DynamoContacts`` |
| ``config`` | Config table | ``DynamoConfig`` |
| ``uploads`` | Uploads table | ``DynamoLedger`` |
| ``directory`` | Directory table | ``DynamoDirectory`` |
| ``strata`` | Strata table | ``DynamoStrata`` |
| ``call_lists`` | CallLists table | ``DynamoCallLists`` |
| ``sampling_runs`` | SamplingRuns table | ``DynamoRuns`` |
| ``dispatches`` | Dispatches table (the dispatch ledger) | ``DynamoDispatchLedger`` |
| ``rate_limits`` | RateLimits table | ``DynamoRateLimiter`` |
| ``feedback_links`` | Links table | ``DynamoLinks`` |
| ``feedback`` | Feedback table | ``DynamoFeedback`` |
| ``cases`` | Cases table | ``DynamoCases`` |
| ``tallies`` | Tallies table | ``DynamoTallies`` |
| ``queues`` | SQS (and Scheduler for late deliveries) | ``SqsDispatcher``, ``Deferrer`` |
| ``events`` | EventBridge bus | ``EventBridgePublisher`` |
| ``objects`` | S3 data bucket | ``S3ObjectStore``, ``S3Documents``, ``S3ReportFiles`` |
| ``topics`` | SNS topics | ``SnsNotifier``, ``OfficialSubscriptions`` |
| ``sms`` | SNS SMS | ``SnsSms`` |
| ``telephony`` | Amazon Connect | ``ConnectTelephony`` |
| ``simulated`` | the local citizen simulator's queue | ``SimulatedTelephony`` |
| ``state_machine`` | Step Functions | ``StepFunctionsTasks`` |
| ``secrets`` | Secrets Manager | ``secret_bytes`` |
| ``aws`` | clients | ``client``, ``retry_partial``, ``backoff``, ``THROTTLING`` |
"""
