"""The official Python SDK's Permissions calls against the emulator: get, levels, set, update.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set (an admin).
"""
from databricks.sdk import WorkspaceClient
from databricks.sdk.service import iam

w = WorkspaceClient()

cluster_id = w.clusters.create(
    cluster_name="python-sdk-permissions", spark_version="15.4.x-scala2.12",
    node_type_id="Standard_DS3_v2", num_workers=1,
).cluster_id

acl = w.permissions.get("clusters", cluster_id)
assert acl.object_type == "cluster", acl
assert acl.object_id == f"/clusters/{cluster_id}", acl

levels = w.permissions.get_permission_levels("clusters", cluster_id).permission_levels
assert [l.permission_level for l in levels] == [
    iam.PermissionLevel.CAN_ATTACH_TO, iam.PermissionLevel.CAN_RESTART, iam.PermissionLevel.CAN_MANAGE,
], levels

updated = w.permissions.update("clusters", cluster_id, access_control_list=[
    iam.AccessControlRequest(group_name="users", permission_level=iam.PermissionLevel.CAN_RESTART),
])
groups = {e.group_name for e in updated.access_control_list if e.group_name}
assert groups == {"users", "admins"}, updated

replaced = w.permissions.set("clusters", cluster_id, access_control_list=[
    iam.AccessControlRequest(group_name="users", permission_level=iam.PermissionLevel.CAN_ATTACH_TO),
])
direct = [(e.group_name or e.user_name, p.permission_level)
          for e in replaced.access_control_list for p in e.all_permissions if not p.inherited]
assert direct == [("users", iam.PermissionLevel.CAN_ATTACH_TO)], direct

tokens = w.permissions.get("authorization", "tokens")
assert tokens.object_type == "tokens", tokens
print("ok")
