"""The official Python SDK's cluster policy and policy family calls against the emulator.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set (an admin).
"""
import json

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import InvalidParameterValue
from databricks.sdk.service import compute

w = WorkspaceClient()

definition = {
    "spark_version": {"type": "fixed", "value": "15.4.x-scala2.12"},
    "num_workers": {"type": "range", "maxValue": 2, "defaultValue": 1},
    "node_type_id": {"type": "allowlist", "values": ["Standard_DS3_v2"], "defaultValue": "Standard_DS3_v2"},
}
policy_id = w.cluster_policies.create(name="python-sdk", definition=json.dumps(definition)).policy_id
policy = w.cluster_policies.get(policy_id)
assert json.loads(policy.definition) == definition, policy.definition
assert policy_id in [p.policy_id for p in w.cluster_policies.list(sort_column=compute.ListSortColumn.POLICY_NAME)]

cluster_id = w.clusters.create(cluster_name="governed", spark_version="15.4.x-scala2.12",
                               policy_id=policy_id, apply_policy_default_values=True).cluster_id
cluster = w.clusters.get(cluster_id)
assert (cluster.num_workers, cluster.node_type_id) == (1, "Standard_DS3_v2"), cluster
try:
    w.clusters.create(cluster_name="too-big", spark_version="15.4.x-scala2.12", num_workers=8,
                      policy_id=policy_id, apply_policy_default_values=True)
    raise AssertionError("the policy should refuse 8 workers")
except InvalidParameterValue as e:
    assert "num_workers" in str(e), e

w.cluster_policies.edit(policy_id=policy_id, name="python-sdk-2", definition=json.dumps(definition))
assert w.cluster_policies.get(policy_id).name == "python-sdk-2"
families = [f.policy_family_id for f in w.policy_families.list(max_results=1)]
assert "personal-vm" in families, families
assert w.policy_families.get("personal-vm").name == "Personal Compute"
w.cluster_policies.delete(policy_id)
print("ok")
