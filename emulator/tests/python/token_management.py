"""The official Python SDK's Token Management calls against the emulator (as its admin).

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set.
"""
from databricks.sdk import WorkspaceClient

w = WorkspaceClient()
me = w.current_user.me().user_name

created = w.tokens.create(comment="python-sdk-tm", lifetime_seconds=3600)
token_id = created.token_info.token_id

mine = list(w.token_management.list(created_by_username=me))
assert token_id in [t.token_id for t in mine], mine
assert all(t.created_by_username == me for t in mine), mine
by_id = list(w.token_management.list(created_by_id=mine[0].created_by_id))
assert len(by_id) == len(mine), (by_id, mine)

got = w.token_management.get(token_id).token_info
assert got.comment == "python-sdk-tm", got

w.token_management.delete(token_id)
assert token_id not in [t.token_id for t in w.token_management.list()]
print("ok")
