#!/usr/bin/env python3
"""Schema drift report: what `schema/` lacks compared with the official Databricks Python SDK.

The models of this crate are generated from the hand-maintained JSON Schemas in `schema/`. This
script compares them with the models of the official Python SDK (`databricks-sdk` on PyPI, itself
generated from Databricks' OpenAPI specification) and prints, per schema definition:

* the fields and enum values the official models have and the schema lacks (`missing`),
* integer widths and types that disagree (`type`),
* fields and values only the schema has (`ours-only`, informational: legacy 2.0 fields),
* official types the schema has no definition for yet (`unmapped`).

Fields that only exist on AWS or GCP (listed in OTHER_CLOUDS below) are marked `[other clouds]`;
they are left to the unknown-field store of the generated models and never make the report fail.

Usage (needs Python 3.9+ and, unless --sdk-dir is given, pip and network access to PyPI):

    python3 tools/schema_drift.py                  # against databricks-sdk==DEFAULT_SDK
    python3 tools/schema_drift.py --sdk databricks-sdk   # against the newest release
    python3 tools/schema_drift.py --azure          # hide the AWS/GCP-only fields
    python3 tools/schema_drift.py --docs           # with the official docs of what is missing
    python3 tools/schema_drift.py --sdk-dir DIR    # an unpacked SDK (DIR/databricks/sdk/...)

The SDK is installed with `pip install --no-deps --target <temp dir>` and never imported: its
source is read with `ast`, so nothing of it runs and no dependency is needed.

Exit status: 0 when nothing Azure-relevant is missing, 1 when something is (a field, an enum
value, a definition, or an integer narrower than the official one), 2 on usage or setup errors.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

#: The SDK release the schema was last brought up to date with.
DEFAULT_SDK = "databricks-sdk==0.162.0"

#: Service modules of the SDK that hold the models compared here.
MODULES = ("compute", "settings", "iam", "workspace", "jobs", "files")

#: schema definition -> official sources: `Class` (a dataclass or enum of any module above; the
#: first module's when several modules have one of that name), `module:Class` (the class of that
#: module) or `Class.method` (the parameters of an API method, for request bodies the SDK does
#: not model as a class). Several sources are merged (a field of any of them is expected).
MAPPING: Dict[str, List[str]] = {
    # Clusters: settings, details, requests and answers.
    "ClusterSpec": ["ClusterSpec", "UpdateClusterResource"],
    "ClusterInfo": ["ClusterDetails"],
    "ClusterAttributes": ["ClustersAPI.create", "ClustersAPI.edit", "ClusterAttributes"],
    "CloneCluster": ["CloneCluster"],
    "AutoScale": ["AutoScale"],
    "AzureAttributes": ["AzureAttributes"],
    "AzureAvailability": ["AzureAvailability"],
    "LogAnalyticsInfo": ["LogAnalyticsInfo"],
    "SparkNode": ["SparkNode"],
    "LogSyncStatus": ["LogSyncStatus"],
    "ClusterLogConf": ["ClusterLogConf"],
    "InitScriptInfo": ["InitScriptInfo"],
    "DbfsStorageInfo": ["DbfsStorageInfo"],
    "WorkspaceStorageInfo": ["WorkspaceStorageInfo"],
    "VolumesStorageInfo": ["VolumesStorageInfo"],
    "AbfssStorageInfo": ["Adlsgen2Info"],
    "LocalFileInfo": ["LocalFileInfo"],
    "DockerImage": ["DockerImage"],
    "DockerBasicAuth": ["DockerBasicAuth"],
    "TerminationReason": ["TerminationReason"],
    "TerminationCode": ["TerminationReasonCode"],
    "TerminationType": ["TerminationReasonType"],
    "ClusterState": ["State"],
    "ClusterSource": ["ClusterSource"],
    "DataSecurityMode": ["DataSecurityMode"],
    "DependencyMode": ["DependencyMode"],
    "RuntimeEngine": ["RuntimeEngine"],
    "Kind": ["Kind"],
    "WorkloadType": ["WorkloadType"],
    "ClientsTypes": ["ClientsTypes"],
    "NodeTypeFlexibility": ["NodeTypeFlexibility"],
    "ClusterResizeRequest": ["ClustersAPI.resize"],
    "ClusterId": ["CreateClusterResponse"],
    "ListClustersRequest": ["ClustersAPI.list"],
    "ListClustersResponse": ["ListClustersResponse"],
    "ListClustersFilterBy": ["ListClustersFilterBy"],
    "ListClustersSortBy": ["ListClustersSortBy"],
    "ListClustersSortByDirection": ["ListClustersSortByDirection"],
    "ListClustersSortByField": ["ListClustersSortByField"],
    # Node types and runtime versions.
    "NodeType": ["NodeType"],
    "CloudProviderNodeInfo": ["CloudProviderNodeInfo"],
    "CloudProviderNodeStatus": ["CloudProviderNodeStatus"],
    "NodeInstanceType": ["NodeInstanceType"],
    "ListNodeTypesResponse": ["ListNodeTypesResponse"],
    "SparkVersion": ["SparkVersion"],
    "SparkVersionsResponse": ["GetSparkVersionsResponse"],
    # Events.
    "ClusterEventRequest": ["GetEvents", "ClustersAPI.events"],
    "ClusterEventResponse": ["GetEventsResponse"],
    "ClusterEvent": ["ClusterEvent"],
    "ClusterEventType": ["EventType"],
    "EventDetails": ["EventDetails"],
    "ClusterSize": ["ClusterSize"],
    "ResizeCause": ["EventDetailsCause"],
    "ListOrder": ["GetEventsOrder"],
    "InitScriptEventDetails": ["InitScriptEventDetails"],
    "InitScriptInfoAndExecutionDetails": ["InitScriptInfoAndExecutionDetails"],
    "InitScriptExecutionStatus": ["InitScriptExecutionDetailsInitScriptExecutionStatus"],
    "DataPlaneEventDetails": ["DataPlaneEventDetails"],
    "DataPlaneEventType": ["DataPlaneEventDetailsEventType"],
    # Tokens.
    "PublicTokenInfo": ["PublicTokenInfo"],
    "AutoscopeState": ["AutoscopeState"],
    "CreateTokenRequest": ["TokensAPI.create"],
    "Token": ["CreateTokenResponse"],
    "ListTokensResponse": ["ListPublicTokensResponse"],
    # Secrets.
    "SecretMetadata": ["SecretMetadata"],
    "SecretScope": ["SecretScope"],
    "ScopeBackendType": ["ScopeBackendType"],
    "AzureKeyVaultSecretScopeMetadata": ["AzureKeyVaultSecretScopeMetadata"],
    "AclItem": ["AclItem"],
    "AclPermission": ["AclPermission"],
    "CreateScopeRequest": ["SecretsAPI.create_scope"],
    "ListSecretsResponse": ["ListSecretsResponse"],
    "ListAclsResponse": ["ListAclsResponse"],
    "ListScopesResponse": ["ListScopesResponse"],
    # Files API (Unity Catalog volumes).
    "DirectoryEntry": ["files:DirectoryEntry"],
    "ListDirectoryRequest": ["FilesAPI.list_directory_contents"],
    "ListDirectoryResponse": ["files:ListDirectoryResponse"],
    # DBFS.
    "FileInfo": ["FileInfo"],
    "DbfsListResponse": ["ListStatusResponse"],
    "DbfsPutRequest": ["DbfsAPI.put"],
    "DbfsCreateRequest": ["DbfsAPI.create"],
    "DbfsCreateResponse": ["files:CreateResponse"],
    "DbfsAddBlockRequest": ["DbfsAPI.add_block"],
    "DbfsCloseRequest": ["DbfsAPI.close"],
    "DbfsReadRequest": ["DbfsAPI.read"],
    "DbfsReadResponse": ["ReadResponse"],
    "DbfsDeleteRequest": ["DbfsAPI.delete"],
    # Workspace.
    "ObjectInfo": ["workspace:ObjectInfo"],
    "ObjectType": ["ObjectType"],
    "DirectoryInfo": ["DirectoryInfo"],
    "Language": ["workspace:Language"],
    "ImportFormat": ["ImportFormat"],
    "ExportFormat": ["ExportFormat"],
    "WorkspaceListResponse": ["ListResponse"],
    "WorkspaceImportRequest": ["WorkspaceAPI.import_"],
    "ExportResponse": ["ExportResponse"],
    "WorkspaceDeleteRequest": ["WorkspaceAPI.delete"],
    # Jobs (jobs.json): settings, runs, requests, answers, outputs and job permissions; the
    # compute types the Jobs API shares (libraries, environments) are compared as `compute:`.
    "JobSettings": ["JobSettings"],
    "CreateJob": ["JobsAPI.create"],
    "CreateJobResponse": ["jobs:CreateResponse"],
    "Job": ["Job"],
    "BaseJob": ["BaseJob"],
    "ResetJob": ["JobsAPI.reset"],
    "UpdateJob": ["JobsAPI.update"],
    "DeleteJob": ["JobsAPI.delete"],
    "ListJobsRequest": ["JobsAPI.list"],
    "ListJobsResponse": ["ListJobsResponse"],
    "GetJobRequest": ["JobsAPI.get"],
    "RunNow": ["JobsAPI.run_now"],
    "RunNowResponse": ["RunNowResponse"],
    "SubmitRun": ["JobsAPI.submit"],
    "SubmitRunResponse": ["SubmitRunResponse"],
    "RepairRun": ["JobsAPI.repair_run"],
    "RepairRunResponse": ["RepairRunResponse"],
    "CancelRun": ["JobsAPI.cancel_run"],
    "CancelAllRuns": ["JobsAPI.cancel_all_runs"],
    "DeleteRun": ["JobsAPI.delete_run"],
    "GetRunRequest": ["JobsAPI.get_run"],
    "ListRunsRequest": ["JobsAPI.list_runs"],
    "ListRunsResponse": ["ListRunsResponse"],
    "GetRunOutputRequest": ["JobsAPI.get_run_output"],
    "ExportRunRequest": ["JobsAPI.export_run"],
    "Run": ["Run"],
    "BaseRun": ["BaseRun"],
    "RunState": ["RunState"],
    "RunStatus": ["RunStatus"],
    "TerminationDetails": ["TerminationDetails"],
    "RunTask": ["RunTask"],
    "Task": ["Task"],
    "SubmitTask": ["SubmitTask"],
    "JobCluster": ["JobCluster"],
    "RunOutput": ["RunOutput"],
    "ExportRunOutput": ["ExportRunOutput"],
    "JobPermissions": ["JobPermissions"],
    "JobPermissionsRequest": ["JobsAPI.set_permissions"],
    "GetJobPermissionLevelsResponse": ["GetJobPermissionLevelsResponse"],
    "AiClassifyFunction": ["AiClassifyFunction"],
    "AiClassifyFunctionInlineLabels": ["AiClassifyFunctionInlineLabels"],
    "AiClassifyFunctionLabel": ["AiClassifyFunctionLabel"],
    "AiExtractFunction": ["AiExtractFunction"],
    "AiExtractFunctionMode": ["AiExtractFunctionMode"],
    "AiFunctionTask": ["AiFunctionTask"],
    "AiFunctionTaskOutput": ["AiFunctionTaskOutput"],
    "AiParseDocumentFunction": ["AiParseDocumentFunction"],
    "AiParseDocumentFunctionDescriptionElementType": ["AiParseDocumentFunctionDescriptionElementType"],
    "AiRuntimeTask": ["AiRuntimeTask"],
    "AiRuntimeTaskOutput": ["AiRuntimeTaskOutput"],
    "AiRuntimeTaskPriorityClass": ["AiRuntimeTaskPriorityClass"],
    "AlertEvaluationState": ["AlertEvaluationState"],
    "AlertTask": ["AlertTask"],
    "AlertTaskOutput": ["AlertTaskOutput"],
    "AlertTaskSubscriber": ["AlertTaskSubscriber"],
    "AuthenticationMethod": ["AuthenticationMethod"],
    "CleanRoomTaskRunLifeCycleState": ["CleanRoomTaskRunLifeCycleState"],
    "CleanRoomTaskRunResultState": ["CleanRoomTaskRunResultState"],
    "CleanRoomTaskRunState": ["CleanRoomTaskRunState"],
    "CleanRoomsNotebookTask": ["CleanRoomsNotebookTask"],
    "CleanRoomsNotebookTaskCleanRoomsNotebookTaskOutput": ["CleanRoomsNotebookTaskCleanRoomsNotebookTaskOutput"],
    "ClusterInstance": ["ClusterInstance"],
    "CodeSource": ["jobs:Source"],
    "CompletedJob": ["CompletedJob"],
    "Compute": ["Compute"],
    "ComputeConfig": ["ComputeConfig"],
    "ComputeSpec": ["ComputeSpec"],
    "ComputeSpecAcceleratorType": ["ComputeSpecAcceleratorType"],
    "Condition": ["Condition"],
    "ConditionTask": ["ConditionTask"],
    "ConditionTaskOp": ["ConditionTaskOp"],
    "Continuous": ["Continuous"],
    "ContinuousTriggerConfiguration": ["ContinuousTriggerConfiguration"],
    "ContinuousTriggerState": ["ContinuousTriggerState"],
    "CronSchedule": ["CronSchedule"],
    "CronTriggerConfiguration": ["CronTriggerConfiguration"],
    "DashboardPageSnapshot": ["DashboardPageSnapshot"],
    "DashboardTask": ["DashboardTask"],
    "DashboardTaskOutput": ["DashboardTaskOutput"],
    "DayOfWeek": ["DayOfWeek"],
    "DbtCloudJobRunStep": ["DbtCloudJobRunStep"],
    "DbtCloudTask": ["DbtCloudTask"],
    "DbtCloudTaskOutput": ["DbtCloudTaskOutput"],
    "DbtOutput": ["DbtOutput"],
    "DbtPlatformJobRunStep": ["DbtPlatformJobRunStep"],
    "DbtPlatformRunStatus": ["DbtPlatformRunStatus"],
    "DbtPlatformTask": ["DbtPlatformTask"],
    "DbtPlatformTaskOutput": ["DbtPlatformTaskOutput"],
    "DbtTask": ["DbtTask"],
    "DeltaTableSource": ["DeltaTableSource"],
    "DeploymentSpec": ["DeploymentSpec"],
    "Environment": ["compute:Environment"],
    "FileArrivalTriggerConfiguration": ["FileArrivalTriggerConfiguration"],
    "FileArrivalTriggerState": ["FileArrivalTriggerState"],
    "ForEachStats": ["ForEachStats"],
    "ForEachTask": ["ForEachTask"],
    "ForEachTaskErrorMessageStats": ["ForEachTaskErrorMessageStats"],
    "ForEachTaskTaskRunStats": ["ForEachTaskTaskRunStats"],
    "GenAiComputeTask": ["GenAiComputeTask"],
    "GitProvider": ["GitProvider"],
    "GitSnapshot": ["GitSnapshot"],
    "GitSource": ["GitSource"],
    "GitSparseCheckout": ["jobs:SparseCheckout"],
    "HardwareAcceleratorType": ["compute:HardwareAcceleratorType"],
    "JobAccessControlRequest": ["JobAccessControlRequest"],
    "JobAccessControlResponse": ["JobAccessControlResponse"],
    "JobClusterServerlessCompute": ["JobClusterServerlessCompute"],
    "JobCompletionTriggerConfiguration": ["JobCompletionTriggerConfiguration"],
    "JobCompletionTriggerConfigurationIfStatus": ["JobCompletionTriggerConfigurationIfStatus"],
    "JobCompletionTriggerConfigurationMonitoredJob": ["JobCompletionTriggerConfigurationMonitoredJob"],
    "JobCompletionTriggerRunInfoDetails": ["JobCompletionTriggerRunInfoDetails"],
    "JobCompletionTriggerState": ["JobCompletionTriggerState"],
    "JobCompletionTriggerStateMonitoredJobState": ["JobCompletionTriggerStateMonitoredJobState"],
    "JobDeployment": ["JobDeployment"],
    "JobDeploymentKind": ["JobDeploymentKind"],
    "JobEditMode": ["JobEditMode"],
    "JobEmailNotifications": ["JobEmailNotifications"],
    "JobEnvironment": ["JobEnvironment"],
    "JobEnvironmentVariables": ["JobEnvironmentVariables"],
    "JobEnvironmentVariablesSpec": ["JobEnvironmentVariablesSpec"],
    "JobFormat": ["jobs:Format"],
    "JobNotificationSettings": ["JobNotificationSettings"],
    "JobParameter": ["JobParameter"],
    "JobParameterDefinition": ["JobParameterDefinition"],
    "JobPermission": ["JobPermission"],
    "JobPermissionLevel": ["JobPermissionLevel"],
    "JobPermissionsDescription": ["JobPermissionsDescription"],
    "JobRunAs": ["JobRunAs"],
    "JobSource": ["JobSource"],
    "JobSourceDirtyState": ["JobSourceDirtyState"],
    "JobsHealthMetric": ["JobsHealthMetric"],
    "JobsHealthOperator": ["JobsHealthOperator"],
    "JobsHealthRule": ["JobsHealthRule"],
    "JobsHealthRules": ["JobsHealthRules"],
    "MaintenanceWindow": ["MaintenanceWindow"],
    "ModelTriggerConfiguration": ["ModelTriggerConfiguration"],
    "ModelTriggerConfigurationCondition": ["ModelTriggerConfigurationCondition"],
    "NotebookOutput": ["NotebookOutput"],
    "NotebookTask": ["NotebookTask"],
    "OutputSchemaInfo": ["OutputSchemaInfo"],
    "PauseStatus": ["PauseStatus"],
    "PerTriggerState": ["PerTriggerState"],
    "PerformanceTarget": ["PerformanceTarget"],
    "PeriodicTriggerConfiguration": ["PeriodicTriggerConfiguration"],
    "PeriodicTriggerConfigurationTimeUnit": ["PeriodicTriggerConfigurationTimeUnit"],
    "PeriodicTriggerState": ["PeriodicTriggerState"],
    "PipelineParams": ["PipelineParams"],
    "PipelineTask": ["PipelineTask"],
    "PowerBiModel": ["PowerBiModel"],
    "PowerBiTable": ["PowerBiTable"],
    "PowerBiTask": ["PowerBiTask"],
    "PythonOperatorTask": ["PythonOperatorTask"],
    "PythonOperatorTaskParameter": ["PythonOperatorTaskParameter"],
    "PythonWheelTask": ["PythonWheelTask"],
    "QualifiedName": ["QualifiedName"],
    "QueueDetails": ["QueueDetails"],
    "QueueDetailsCodeCode": ["QueueDetailsCodeCode"],
    "QueueSettings": ["QueueSettings"],
    "RepairHistoryItem": ["RepairHistoryItem"],
    "RepairHistoryItemType": ["RepairHistoryItemType"],
    "ResolvedConditionTaskValues": ["ResolvedConditionTaskValues"],
    "ResolvedDbtTaskValues": ["ResolvedDbtTaskValues"],
    "ResolvedNotebookTaskValues": ["ResolvedNotebookTaskValues"],
    "ResolvedParamPairValues": ["ResolvedParamPairValues"],
    "ResolvedPipelineTaskValues": ["ResolvedPipelineTaskValues"],
    "ResolvedPythonWheelTaskValues": ["ResolvedPythonWheelTaskValues"],
    "ResolvedRunJobTaskValues": ["ResolvedRunJobTaskValues"],
    "ResolvedStringParamsValues": ["ResolvedStringParamsValues"],
    "ResolvedValues": ["ResolvedValues"],
    "RunClusterSpec": ["jobs:ClusterSpec"],
    "RunConditionTask": ["RunConditionTask"],
    "RunForEachTask": ["RunForEachTask"],
    "RunIf": ["RunIf"],
    "RunJobOutput": ["RunJobOutput"],
    "RunJobTask": ["RunJobTask"],
    "RunLifeCycleState": ["RunLifeCycleState"],
    "RunLifecycleStateV2State": ["RunLifecycleStateV2State"],
    "RunParameters": ["RunParameters"],
    "RunResultState": ["RunResultState"],
    "RunType": ["RunType"],
    "SparkJarTask": ["SparkJarTask"],
    "SparkPythonTask": ["SparkPythonTask"],
    "SparkSubmitTask": ["SparkSubmitTask"],
    "SqlAlertOutput": ["SqlAlertOutput"],
    "SqlAlertState": ["SqlAlertState"],
    "SqlConditionConfiguration": ["SqlConditionConfiguration"],
    "SqlConditionRunInfoDetails": ["SqlConditionRunInfoDetails"],
    "SqlConditionState": ["SqlConditionState"],
    "SqlConditionTriggerMode": ["SqlConditionTriggerMode"],
    "SqlDashboardOutput": ["SqlDashboardOutput"],
    "SqlDashboardWidgetOutput": ["SqlDashboardWidgetOutput"],
    "SqlDashboardWidgetOutputStatus": ["SqlDashboardWidgetOutputStatus"],
    "SqlOutput": ["SqlOutput"],
    "SqlOutputError": ["SqlOutputError"],
    "SqlQueryOutput": ["SqlQueryOutput"],
    "SqlStatementOutput": ["SqlStatementOutput"],
    "SqlStatementQueryResult": ["SqlStatementQueryResult"],
    "SqlStatementQueryResultColumn": ["SqlStatementQueryResultColumn"],
    "SqlStatementQueryResultRow": ["SqlStatementQueryResultRow"],
    "SqlStatementQueryResultRowRowValue": ["SqlStatementQueryResultRowRowValue"],
    "SqlTask": ["SqlTask"],
    "SqlTaskAlert": ["SqlTaskAlert"],
    "SqlTaskDashboard": ["SqlTaskDashboard"],
    "SqlTaskFile": ["SqlTaskFile"],
    "SqlTaskQuery": ["SqlTaskQuery"],
    "SqlTaskSqlFileOutput": ["SqlTaskSqlFileOutput"],
    "SqlTaskSubscription": ["SqlTaskSubscription"],
    "StorageMode": ["StorageMode"],
    "Subscription": ["Subscription"],
    "SubscriptionAttachment": ["SubscriptionAttachment"],
    "SubscriptionAttachmentDataAttachment": ["SubscriptionAttachmentDataAttachment"],
    "SubscriptionAttachmentDataAttachmentFileFormat": ["SubscriptionAttachmentDataAttachmentFileFormat"],
    "SubscriptionAttachmentDataAttachmentWidget": ["SubscriptionAttachmentDataAttachmentWidget"],
    "SubscriptionAttachmentPageAttachment": ["SubscriptionAttachmentPageAttachment"],
    "SubscriptionAttachmentPageAttachmentPageSelection": ["SubscriptionAttachmentPageAttachmentPageSelection"],
    "SubscriptionSubscriber": ["SubscriptionSubscriber"],
    "TableState": ["TableState"],
    "TableTriggerState": ["TableTriggerState"],
    "TableUpdateTriggerConfiguration": ["TableUpdateTriggerConfiguration"],
    "TaskDependency": ["TaskDependency"],
    "TaskEmailNotifications": ["TaskEmailNotifications"],
    "TaskNotificationSettings": ["TaskNotificationSettings"],
    "TaskRetryMode": ["TaskRetryMode"],
    "TerminationCodeCode": ["TerminationCodeCode"],
    "TerminationTypeType": ["TerminationTypeType"],
    "TriggerConfiguration": ["TriggerConfiguration"],
    "TriggerDetails": ["TriggerDetails"],
    "TriggerEvaluation": ["TriggerEvaluation"],
    "TriggerHistory": ["TriggerHistory"],
    "TriggerInfo": ["TriggerInfo"],
    "TriggerSettings": ["TriggerSettings"],
    "TriggerStateProto": ["TriggerStateProto"],
    "TriggerType": ["TriggerType"],
    "ViewItem": ["ViewItem"],
    "ViewType": ["ViewType"],
    "ViewsToExport": ["ViewsToExport"],
    "VolumeSource": ["VolumeSource"],
    "Webhook": ["Webhook"],
    "WebhookNotifications": ["WebhookNotifications"],
    "WidgetErrorDetail": ["WidgetErrorDetail"],
    # Permissions.
    "PermissionLevel": ["PermissionLevel"],
    "AccessControlRequest": ["AccessControlRequest"],
    "AccessControlResponse": ["AccessControlResponse"],
    "Permission": ["Permission"],
    "ObjectPermissions": ["ObjectPermissions"],
    "SetObjectPermissions": ["PermissionsAPI.set", "PermissionsAPI.update"],
    "PermissionsDescription": ["PermissionsDescription"],
    "GetPermissionLevelsResponse": ["GetPermissionLevelsResponse"],
    # Token management.
    "TokenInfo": ["TokenInfo"],
    "ListManagedTokensRequest": ["TokenManagementAPI.list"],
    "ListManagedTokensResponse": ["ListTokensResponse"],
    "GetTokenResponse": ["GetTokenResponse"],
    "CreateOboTokenRequest": ["TokenManagementAPI.create_obo_token"],
    "CreateOboTokenResponse": ["CreateOboTokenResponse"],
    # SCIM: users, groups, service principals.
    "User": ["User"],
    "Group": ["Group"],
    "ServicePrincipal": ["ServicePrincipal"],
    "ComplexValue": ["ComplexValue"],
    "Name": ["Name"],
    "ResourceMeta": ["ResourceMeta"],
    "UserSchema": ["UserSchema"],
    "GroupSchema": ["GroupSchema"],
    "ServicePrincipalSchema": ["ServicePrincipalSchema"],
    "ListResponseSchema": ["ListResponseSchema"],
    "PatchSchema": ["PatchSchema"],
    "PatchOp": ["PatchOp"],
    "ListSortOrder": ["GetSortOrder"],
    "ListUsersResponse": ["ListUsersResponse"],
    "ListGroupsResponse": ["ListGroupsResponse"],
    "ListServicePrincipalResponse": ["ListServicePrincipalResponse"],
    "Patch": ["Patch"],
    "PatchRequest": ["UsersAPI.patch", "GroupsAPI.patch", "ServicePrincipalsAPI.patch"],
    "ScimListRequest": ["UsersAPI.list", "GroupsAPI.list", "ServicePrincipalsAPI.list"],
    # Cluster policies, policy families, and the libraries they name.
    "Policy": ["Policy"],
    "CreatePolicyRequest": ["ClusterPoliciesAPI.create", "ClusterPoliciesAPI.edit"],
    "CreatePolicyResponse": ["CreatePolicyResponse"],
    "ListPoliciesRequest": ["ClusterPoliciesAPI.list"],
    "ListPoliciesResponse": ["ListPoliciesResponse"],
    "PolicySortColumn": ["ListSortColumn"],
    "PolicySortOrder": ["ListSortOrder"],
    "PolicyFamily": ["PolicyFamily"],
    "ListPolicyFamiliesRequest": ["PolicyFamiliesAPI.list"],
    "ListPolicyFamiliesResponse": ["ListPolicyFamiliesResponse"],
    "Library": ["Library"],
    "PythonPyPiLibrary": ["PythonPyPiLibrary"],
    "MavenLibrary": ["MavenLibrary"],
    "RCranLibrary": ["RCranLibrary"],
    # Instance pools.
    "InstancePoolSpec": ["InstancePoolsAPI.create"],
    "InstancePoolAttributes": ["InstancePoolsAPI.create", "InstancePoolsAPI.edit"],
    "InstancePoolAndStats": ["InstancePoolAndStats", "GetInstancePool"],
    "InstancePoolAzureAttributes": ["InstancePoolAzureAttributes"],
    "InstancePoolAzureAvailability": ["InstancePoolAzureAttributesAvailability"],
    "InstancePoolState": ["InstancePoolState"],
    "InstancePoolStats": ["InstancePoolStats"],
    "InstancePoolStatus": ["InstancePoolStatus"],
    "PendingInstanceError": ["PendingInstanceError"],
    "DiskSpec": ["DiskSpec"],
    "DiskType": ["DiskType"],
    "AzureDiskVolumeType": ["DiskTypeAzureDiskVolumeType"],
    "CreateInstancePoolResponse": ["CreateInstancePoolResponse"],
    "ListInstancePoolsResponse": ["ListInstancePools"],
    # Libraries.
    "LibraryInstallStatus": ["LibraryInstallStatus"],
    "LibraryFullStatus": ["LibraryFullStatus"],
    "ClusterLibraryStatuses": ["ClusterLibraryStatuses"],
    "ListAllClusterLibraryStatusesResponse": ["ListAllClusterLibraryStatusesResponse"],
    "InstallLibrariesRequest": ["LibrariesAPI.install", "LibrariesAPI.uninstall"],
}

#: Parameters of a mapped API method that the operation takes in its path, not in the body
#: that the definition models: not expected among the definition's fields.
IN_PATH: Dict[str, List[str]] = {
    "SetObjectPermissions": ["request_object_type", "request_object_id"],
    "PatchRequest": ["id"],
    "JobPermissionsRequest": ["job_id"],
    "ListDirectoryRequest": ["directory_path"],
}

#: Fields the schema cannot declare and leaves to `unknown_fields` on purpose (a JSON Schema
#: property cannot be named `$ref`); kept losslessly, reported as notes.
KEPT_UNKNOWN = {("ComplexValue", "$ref")}

#: Operations whose inline parameters (`params` in `schema/endpoints.json`) are compared with the
#: parameters of an API method; informational only (a new parameter changes a method signature).
OPERATIONS: Dict[str, str] = {
    "clusters.get": "ClustersAPI.get",
    "clusters.pin": "ClustersAPI.pin",
    "clusters.unpin": "ClustersAPI.unpin",
    "clusters.delete": "ClustersAPI.delete",
    "clusters.permanent_delete": "ClustersAPI.permanent_delete",
    "clusters.restart": "ClustersAPI.restart",
    "clusters.start": "ClustersAPI.start",
    "clusters.update": "ClustersAPI.update",
    "tokens.delete": "TokensAPI.delete",
    "secrets.list": "SecretsAPI.list_secrets",
    "secrets.put": "SecretsAPI.put_secret",
    "secrets.delete": "SecretsAPI.delete_secret",
    "secrets.acls.list": "SecretsAPI.list_acls",
    "secrets.acls.get": "SecretsAPI.get_acl",
    "secrets.acls.put": "SecretsAPI.put_acl",
    "secrets.acls.delete": "SecretsAPI.delete_acl",
    "secrets.scopes.delete": "SecretsAPI.delete_scope",
}

#: Fields that exist only on AWS or GCP: Azure answers never carry them, and a request to an
#: Azure workspace must not set them. `*` matches any definition.
OTHER_CLOUDS = {
    ("*", "aws_attributes"),
    ("*", "gcp_attributes"),
    ("*", "s3"),
    ("*", "gcs"),
    ("*", "remote_disk_throughput"),
    ("*", "total_initial_remote_disk_size"),
    ("SparkNode", "node_aws_attributes"),
    ("NodeType", "is_graviton"),
    ("NodeTypeFlexibility", "aws_context_id"),
    ("DiskType", "ebs_volume_type"),
}


#: Method parameters that the operation takes in its path (`{name}` in `endpoints.json`), not
#: in the request type mapped to the method.


def other_cloud(definition: str, name: str) -> bool:
    """Whether `name` of `definition` exists only on AWS or GCP."""
    return ("*", name) in OTHER_CLOUDS or (definition, name) in OTHER_CLOUDS


# --------------------------------------------------------------------------------------------
# The official models, read from the SDK's source.


@dataclass
class OfficialField:
    """One field of an official model: wire name, Python annotation, width, documentation."""

    name: str
    annotation: str
    #: Whether an `int` is 64 bits wide; None when the source does not say (method parameters).
    int64: Optional[bool] = None
    doc: str = ""


@dataclass
class OfficialModel:
    """A dataclass, an enum or the parameters of an API method."""

    qualified: str
    kind: str  # "class", "enum" or "method"
    fields: Dict[str, OfficialField] = field(default_factory=dict)
    values: List[str] = field(default_factory=list)
    doc: str = ""


def _docstring_after(body: List[ast.stmt], index: int) -> str:
    """The string literal right after statement `index` (how the SDK documents a field)."""
    if index + 1 < len(body):
        nxt = body[index + 1]
        if (
            isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ):
            return " ".join(nxt.value.value.split())
    return ""


def _wire_names(cls: ast.ClassDef) -> Dict[str, str]:
    """Python attribute -> JSON name, from `body["wire"] = ...self.attr...` in `as_dict`."""
    names: Dict[str, str] = {}
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "as_dict":
            for node in ast.walk(item):
                if not isinstance(node, ast.If):
                    continue
                attrs = [
                    n.attr
                    for n in ast.walk(node.test)
                    if isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name)
                    and n.value.id == "self"
                ]
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and isinstance(stmt.targets[0], ast.Subscript)
                        and isinstance(stmt.targets[0].slice, ast.Constant)
                        and attrs
                    ):
                        names[attrs[0]] = stmt.targets[0].slice.value
    return names


def _int64_fields(cls: ast.ClassDef) -> set:
    """JSON names read with `_int64(d, "name")` in `from_dict`: the int64 fields."""
    found = set()
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "from_dict":
            for node in ast.walk(item):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id == "_int64"
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                ):
                    found.add(node.args[1].value)
    return found


def _param_docs(doc: str) -> Dict[str, str]:
    """`:param name: type` blocks of a method docstring -> their text."""
    docs: Dict[str, str] = {}
    current = None
    for line in doc.splitlines():
        m = re.match(r"\s*:param (\w+):", line)
        if m:
            current = m.group(1)
            docs[current] = ""
        elif re.match(r"\s*:returns?:", line):
            current = None
        elif current is not None:
            docs[current] = (docs[current] + " " + line.strip()).strip()
    return docs


def _method_fields(fn: ast.FunctionDef) -> Dict[str, OfficialField]:
    """The parameters of an API method, with their docs."""
    docs = _param_docs(ast.get_docstring(fn) or "")
    args = [a for a in fn.args.args if a.arg != "self"] + list(fn.args.kwonlyargs)
    # Wire names: `query["startIndex"] = start_index`, `body["Operations"] = [... operations]`.
    wire: Dict[str, str] = {}
    names = {a.arg for a in args}
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Subscript)
            and isinstance(node.targets[0].value, ast.Name)
            and node.targets[0].value.id in ("query", "body")
            and isinstance(node.targets[0].slice, ast.Constant)
        ):
            used = [n.id for n in ast.walk(node.value) if isinstance(n, ast.Name) and n.id in names]
            if used:
                wire.setdefault(used[0], node.targets[0].slice.value)
    out: Dict[str, OfficialField] = {}
    for arg in args:
        if arg.arg == "timeout":
            continue
        annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
        name = wire.get(arg.arg, arg.arg)
        out[name] = OfficialField(name, annotation, None, docs.get(arg.arg, ""))
    return out


def load_official(sdk_dir: Path) -> Dict[str, OfficialModel]:
    """Every dataclass, enum and API method of the compared modules, by name."""
    models: Dict[str, OfficialModel] = {}
    service = sdk_dir / "databricks" / "sdk" / "service"
    for module in MODULES:
        path = service / f"{module}.py"
        if not path.exists():
            raise SystemExit(f"error: {path} not found; is --sdk-dir an unpacked databricks-sdk?")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for cls in tree.body:
            if not isinstance(cls, ast.ClassDef):
                continue
            bases = [ast.unparse(b) for b in cls.bases]
            doc = " ".join((ast.get_docstring(cls) or "").split())
            if "Enum" in bases:
                values = [
                    stmt.value.value
                    for stmt in cls.body
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
                ]
                enum = OfficialModel(cls.name, "enum", values=values, doc=doc)
                models.setdefault(cls.name, enum)
                models[f"{module}:{cls.name}"] = enum
                continue
            if cls.name.endswith("API"):
                for fn in cls.body:
                    if isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_"):
                        name = f"{cls.name}.{fn.name}"
                        models[name] = OfficialModel(name, "method", _method_fields(fn))
                continue
            wire = _wire_names(cls)
            int64 = _int64_fields(cls)
            fields: Dict[str, OfficialField] = {}
            for i, stmt in enumerate(cls.body):
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    attr = stmt.target.id
                    name = wire.get(attr, attr.rstrip("_"))
                    fields[name] = OfficialField(
                        name,
                        ast.unparse(stmt.annotation),
                        name in int64,
                        _docstring_after(cls.body, i),
                    )
            model = OfficialModel(cls.name, "class", fields, doc=doc)
            models.setdefault(cls.name, model)
            models[f"{module}:{cls.name}"] = model
    return models


def install_sdk(spec: str, target: Path) -> None:
    """`pip install --no-deps --target target spec`."""
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-deps", "--target", str(target), spec,
    ]
    print(f"installing {spec} into {target} ...", file=sys.stderr)
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: pip failed ({' '.join(command)}):\n{result.stderr}")


def sdk_version(sdk_dir: Path) -> str:
    """The installed SDK's version (`databricks/sdk/version.py`)."""
    path = sdk_dir / "databricks" / "sdk" / "version.py"
    m = re.search(r"__version__\s*=\s*['\"]([^'\"]+)", path.read_text()) if path.exists() else None
    return m.group(1) if m else "unknown version"


# --------------------------------------------------------------------------------------------
# The schema.


def load_schema(folder: Path) -> Dict[str, dict]:
    """Every definition of the model files, extensions (`allOf`) merged with their base."""
    raw: Dict[str, dict] = {}
    for path in sorted(folder.glob("*.json")):
        if path.name == "endpoints.json":
            continue
        raw.update(json.loads(path.read_text(encoding="utf-8"))["definitions"])

    def merged(name: str) -> dict:
        schema = raw[name]
        if "allOf" not in schema:
            return schema
        base = merged(schema["allOf"][0]["$ref"].rsplit("/", 1)[1])
        properties = dict(base.get("properties", {}))
        properties.update(schema["allOf"][1].get("properties", {}))
        return {"type": "object", "description": schema.get("description", ""),
                "properties": properties}

    return {name: merged(name) for name in raw}


def enum_values(schema: dict) -> Optional[List[str]]:
    """The values of an enum definition (`enum` or `oneOf` of `const`), else None."""
    if "enum" in schema:
        return list(schema["enum"])
    if "oneOf" in schema and all("const" in v for v in schema["oneOf"]):
        return [v["const"] for v in schema["oneOf"]]
    return None


def ref_name(schema: dict) -> Optional[str]:
    """The definition a `$ref` points at."""
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


# --------------------------------------------------------------------------------------------
# Comparison.

#: Python types -> JSON types; protobuf `Duration` (`"3.5s"`) and `Timestamp` (RFC 3339) are
#: strings on the wire.
PRIMITIVES = {
    "str": "string", "bool": "boolean", "float": "number", "int": "integer",
    "Duration": "string", "Timestamp": "string",
}


def unwrap(annotation: str) -> Tuple[str, str]:
    """`Optional[List[X]]` -> ("array", "X"); `Dict[str, str]` -> ("map", "str"); `X` -> ("", "X")."""
    a = annotation.replace(" ", "")
    m = re.fullmatch(r"Optional\[(.*)\]", a)
    if m:
        a = m.group(1)
    m = re.fullmatch(r"List\[(.*)\]", a)
    if m:
        return "array", m.group(1)
    m = re.fullmatch(r"Dict\[str,(.*)\]", a)
    if m:
        return "map", m.group(1)
    return "", a


def class_name(annotation: str) -> str:
    """`iam.AutoscopeState` -> `AutoscopeState`."""
    return annotation.rsplit(".", 1)[-1]


def describe_schema(prop: dict) -> str:
    """A short type of a schema property, for messages."""
    if "$ref" in prop:
        return ref_name(prop) or "?"
    kind = prop.get("type", "?")
    if kind == "array":
        return f"array of {describe_schema(prop.get('items', {}))}"
    if kind == "object":
        return f"map of {describe_schema(prop.get('additionalProperties', {}))}"
    if kind in ("integer", "number"):
        return f"{kind} {prop.get('format', '')}".strip()
    return kind


#: Official classes without fields, filled in by `compare`.
FIELDLESS: set = set()


def type_problem(
    prop: dict, official: OfficialField, reverse: Dict[str, set], definitions: Dict[str, dict]
) -> Optional[Tuple[str, bool]]:
    """How the schema's type of a field disagrees with the official one: (message, serious)."""
    container, inner = unwrap(official.annotation)
    if inner == "Any" and "type" not in prop and "$ref" not in prop:
        return None  # any JSON value on both sides
    if container == "array":
        if prop.get("type") != "array":
            return f"is {describe_schema(prop)} here, a list there", True
        prop = prop.get("items", {})
    elif container == "map":
        if prop.get("type") != "object" or "additionalProperties" not in prop:
            return f"is {describe_schema(prop)} here, a map there", True
        prop = prop["additionalProperties"]
    if inner in PRIMITIVES:
        target = ref_name(prop)
        if target == "SensitiveString" and inner == "str":
            return None
        kind = prop.get("type")
        if target is not None and enum_values(definitions.get(target, {})) is None:
            return f"is {target} here, {inner} there", True
        if target is not None:
            return None  # an enum the SDK types as a plain string
        if inner == "int" and kind == "integer" and official.int64 is None:
            return None
        if inner == "int" and kind == "integer":
            want = "int64" if official.int64 else "int32"
            have = prop.get("format")
            if have != want:
                # A wider integer than needed decodes everything; a narrower one may not.
                return f"is {have} here, {want} there", have == "int32"
            return None
        if inner == "int" and kind == "number":
            return None  # a double holds every integer the service sends (and fractions)
        if PRIMITIVES[inner] != kind:
            return f"is {describe_schema(prop)} here, {inner} there", True
        return None
    target = ref_name(prop)
    official_class = class_name(inner)
    if target is None and official_class in FIELDLESS and prop.get("type") == "object":
        # An official class without fields (yet) is a free-form object here, which keeps
        # whatever the service sends; the generated models have no empty structs.
        return f"is a free-form object here, {official_class} (no fields) there", False
    if target is None:
        return f"is {describe_schema(prop)} here, {official_class} there", True
    if official_class not in reverse.get(target, set()):
        sources = ", ".join(sorted(reverse.get(target, set()))) or "nothing"
        return f"refers to {target} (compared with {sources}), {official_class} there", False
    return None


def wrap(values: List[str], indent: str = "    ") -> List[str]:
    """Comma-separated values in lines of at most 100 characters."""
    return textwrap.wrap(", ".join(values), 100, initial_indent=indent, subsequent_indent=indent,
                         break_on_hyphens=False)


@dataclass
class Report:
    """Lines per definition and the counts that decide the exit status."""

    show_other_clouds: bool = True
    show_docs: bool = False
    sections: List[Tuple[str, List[str]]] = field(default_factory=list)
    missing_fields: int = 0
    missing_values: int = 0
    missing_definitions: int = 0
    serious_types: int = 0
    other_cloud_fields: int = 0
    ours_only: int = 0
    notes: int = 0

    def failed(self) -> bool:
        return bool(
            self.missing_fields + self.missing_values + self.missing_definitions + self.serious_types
        )


def compare(schema: Dict[str, dict], official: Dict[str, OfficialModel], report: Report) -> None:
    FIELDLESS.update(n for n, m in official.items() if m.kind == "class" and not m.fields)
    reverse: Dict[str, set] = {}
    for ours, sources in MAPPING.items():
        for source in sources:
            reverse.setdefault(ours, set()).add(source)
    # Official classes the mapping compares, to point at nested types nobody compares.
    mapped_official = {s for sources in MAPPING.values() for s in sources}

    for ours, sources in MAPPING.items():
        lines: List[str] = []
        title = f"{ours} <- {' + '.join(sources)}"
        models = []
        for source in sources:
            model = official.get(source)
            if model is None:
                lines.append(f"  note: {source} is not in this SDK version")
                report.notes += 1
            else:
                models.append(model)
        if not models:
            report.sections.append((title, lines))
            continue
        definition = schema.get(ours)
        if definition is None:
            lines.append("  MISSING DEFINITION: the schema has no such type")
            report.missing_definitions += 1
            for model in models:
                for f in model.fields.values():
                    if not other_cloud(ours, f.name):
                        lines.append(f"    field {f.name}: {f.annotation}")
                if model.values:
                    lines.append("    values:")
                    lines += wrap(model.values, "      ")
            report.sections.append((title, lines))
            continue

        if all(m.kind == "enum" for m in models):
            have = enum_values(definition) or []
            want: List[str] = []
            for m in models:
                want += [v for v in m.values if v not in want]
            missing = [v for v in want if v not in have]
            if missing:
                report.missing_values += len(missing)
                lines.append(f"  MISSING {len(missing)} of {len(want)} values:")
                lines += wrap(missing)
            extra = [v for v in have if v not in want]
            if extra:
                report.ours_only += len(extra)
                lines.append("  ours-only values:")
                lines += wrap(extra)
            report.sections.append((title, lines))
            continue

        properties = definition.get("properties", {})
        wanted: Dict[str, OfficialField] = {}
        # Dataclasses first: they know integer widths, method parameters do not.
        for m in sorted(models, key=lambda m: m.kind == "method"):
            for name, f in m.fields.items():
                if name not in IN_PATH.get(ours, []):
                    wanted.setdefault(name, f)
        for name, f in wanted.items():
            cloud = other_cloud(ours, name)
            if name in IN_PATH.get(ours, []):
                lines.append(f"  note: {name} is a path parameter of the operation, not a field")
                report.notes += 1
                continue
            if name not in properties:
                if (ours, name) in KEPT_UNKNOWN:
                    report.notes += 1
                    lines.append(f"  note: {name} is kept in unknown_fields")
                    continue
                if cloud:
                    report.other_cloud_fields += 1
                    if report.show_other_clouds:
                        lines.append(f"  missing [other clouds]: {name} ({f.annotation})")
                    continue
                report.missing_fields += 1
                _, inner = unwrap(f.annotation)
                needs = ""
                if inner not in PRIMITIVES and class_name(inner) not in mapped_official:
                    needs = f"; needs a definition for {class_name(inner)}"
                lines.append(f"  MISSING: {name} ({f.annotation}{needs})")
                if report.show_docs and f.doc:
                    lines.append(f"      {f.doc}")
                continue
            problem = type_problem(properties[name], f, reverse, schema)
            if problem:
                message, serious = problem
                if serious:
                    report.serious_types += 1
                    lines.append(f"  TYPE: {name} {message}")
                else:
                    report.notes += 1
                    lines.append(f"  note: {name} {message}")
        extra = [p for p in properties if p not in wanted]
        if extra:
            report.ours_only += len(extra)
            lines.append(f"  ours-only: {', '.join(extra)}")
        report.sections.append((title, lines))


def compare_operations(endpoints: dict, official: Dict[str, OfficialModel], report: Report) -> None:
    """Inline parameters of operations against API method parameters (informational)."""
    shared = endpoints.get("parameters", {})
    for endpoint in endpoints.get("endpoints", []):
        name = f"{endpoint['service']}.{endpoint['name']}"
        method = OPERATIONS.get(name)
        if method is None or method not in official:
            continue
        ours = set()
        for p in endpoint.get("params", []):
            if "$ref" in p:
                p = shared.get(p["$ref"].rsplit("/", 1)[1], {})
            ours.add(p.get("name"))
            if isinstance(p.get("type"), dict):
                ours.update(p["type"].get("sensitive_fields", []))
        missing = [f for f in official[method].fields if f not in ours]
        if missing:
            report.notes += len(missing)
            report.sections.append(
                (f"operation {name} <- {method}",
                 [f"  note: parameter not taken: {', '.join(missing)}"])
            )


# --------------------------------------------------------------------------------------------


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Fields and enum values schema/ lacks compared with the official Python SDK."
    )
    parser.add_argument("--sdk", default=DEFAULT_SDK,
                        help=f"pip requirement to compare with (default: {DEFAULT_SDK})")
    parser.add_argument("--sdk-dir", type=Path,
                        help="an installed/unpacked SDK (containing databricks/sdk); no pip run")
    parser.add_argument("--schema", type=Path,
                        default=Path(__file__).resolve().parent.parent / "schema",
                        help="the schema folder (default: the repository's schema/)")
    parser.add_argument("--azure", action="store_true",
                        help="hide the fields that exist only on AWS or GCP")
    parser.add_argument("--docs", action="store_true",
                        help="print the official documentation of each missing field")
    parser.add_argument("--all", action="store_true",
                        help="also list definitions with nothing to report")
    args = parser.parse_args(argv)

    if args.sdk_dir is not None:
        sdk_dir = args.sdk_dir
        official = load_official(sdk_dir)
        version = sdk_version(sdk_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="schema-drift-") as tmp:
            install_sdk(args.sdk, Path(tmp))
            official = load_official(Path(tmp))
            version = sdk_version(Path(tmp))

    schema = load_schema(args.schema)
    endpoints = json.loads((args.schema / "endpoints.json").read_text(encoding="utf-8"))
    report = Report(show_other_clouds=not args.azure, show_docs=args.docs)
    compare(schema, official, report)
    compare_operations(endpoints, official, report)

    print(f"schema/ against databricks-sdk {version} ({', '.join(MODULES)})")
    print()
    shown = 0
    for title, lines in report.sections:
        if lines or args.all:
            print(title)
            for line in lines:
                print(line)
            shown += 1
    unmapped = sorted(n for n in schema if n not in MAPPING and n != "SensitiveString")
    if unmapped:
        print(f"not compared (no official counterpart in the mapping): {', '.join(unmapped)}")
    if shown:
        print()
    print(
        f"{len(MAPPING)} definitions compared: "
        f"{report.missing_fields} fields, {report.missing_values} enum values and "
        f"{report.missing_definitions} definitions missing, "
        f"{report.serious_types} type conflicts (Azure-relevant); "
        f"{report.other_cloud_fields} AWS/GCP-only fields left to unknown_fields; "
        f"{report.ours_only} ours-only; {report.notes} notes."
    )
    if report.failed():
        print("RESULT: the schema lacks something Azure-relevant (exit 1).")
        return 1
    print("RESULT: nothing Azure-relevant is missing (exit 0).")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(2)
    except BrokenPipeError:
        os._exit(0)
