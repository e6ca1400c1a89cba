"""The official Python SDK's instance pool calls against the emulator, and a cluster on a pool.

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set (an admin).
"""
from databricks.sdk import WorkspaceClient
from databricks.sdk.service import compute

w = WorkspaceClient()

pool_id = w.instance_pools.create(
    instance_pool_name="python-sdk", node_type_id="Standard_DS4_v2", min_idle_instances=1,
    max_capacity=4, preloaded_spark_versions=["15.4.x-scala2.12"],
    azure_attributes=compute.InstancePoolAzureAttributes(
        availability=compute.InstancePoolAzureAttributesAvailability.ON_DEMAND_AZURE),
).instance_pool_id
pool = w.instance_pools.get(pool_id)
assert pool.state == compute.InstancePoolState.ACTIVE, pool
assert pool.azure_attributes.availability == compute.InstancePoolAzureAttributesAvailability.ON_DEMAND_AZURE

cluster_id = w.clusters.create(cluster_name="pooled", spark_version="15.4.x-scala2.12",
                               num_workers=2, instance_pool_id=pool_id).cluster_id
assert w.clusters.get(cluster_id).node_type_id == "Standard_DS4_v2"
stats = w.instance_pools.get(pool_id).stats
assert (stats.used_count, stats.idle_count) == (3, 1), stats

w.instance_pools.edit(instance_pool_id=pool_id, instance_pool_name="python-sdk-2",
                      node_type_id="Standard_DS4_v2", max_capacity=8)
assert [p.instance_pool_name for p in w.instance_pools.list()] == ["python-sdk-2"]
w.clusters.permanent_delete(cluster_id)
w.instance_pools.delete(pool_id)
assert list(w.instance_pools.list()) == []
print("ok")
