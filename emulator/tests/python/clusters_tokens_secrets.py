"""The official Python SDK's clusters, tokens and secrets calls against the emulator.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set; any failed
assertion or API error exits non-zero.
"""
import datetime

from databricks.sdk import WorkspaceClient
from databricks.sdk.service import compute, workspace

w = WorkspaceClient()

# Clusters: create and wait with the SDK's own waiter (the emulator runs at 10x: a cluster starts in one real second).
spark = w.clusters.select_spark_version(long_term_support=True)
node = w.clusters.select_node_type(local_disk=True)
cluster = w.clusters.create_and_wait(
    cluster_name="python-sdk", spark_version=spark, node_type_id=node,
    num_workers=1, autotermination_minutes=120,
    timeout=datetime.timedelta(minutes=5),
)
assert cluster.state == compute.State.RUNNING, cluster.state
listed = [c.cluster_id for c in w.clusters.list()]
assert cluster.cluster_id in listed, listed
w.clusters.delete_and_wait(cluster_id=cluster.cluster_id, timeout=datetime.timedelta(minutes=5))
assert w.clusters.get(cluster.cluster_id).state == compute.State.TERMINATED

# Tokens.
created = w.tokens.create(comment="python-sdk", lifetime_seconds=3600)
assert created.token_value.startswith("dapi")
assert any(t.token_id == created.token_info.token_id for t in w.tokens.list())
w.tokens.delete(created.token_info.token_id)

# Secrets, scopes and ACLs.
w.secrets.create_scope(scope="python-sdk")
w.secrets.put_secret(scope="python-sdk", key="k", string_value="v")
assert [s.key for s in w.secrets.list_secrets(scope="python-sdk")] == ["k"]
w.secrets.put_acl(scope="python-sdk", principal="users", permission=workspace.AclPermission.READ)
assert w.secrets.get_acl(scope="python-sdk", principal="users").permission == workspace.AclPermission.READ
w.secrets.delete_secret(scope="python-sdk", key="k")
w.secrets.delete_scope(scope="python-sdk")
print("ok")
