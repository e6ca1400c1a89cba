"""The official Python SDK's SCIM calls against the emulator: users, groups, service
principals and current_user.me (as the emulator's admin).

Run by emulator/tests/python_sdk.rs with DATABRICKS_HOST and DATABRICKS_TOKEN set.
"""
from databricks.sdk import WorkspaceClient
from databricks.sdk.service import iam

w = WorkspaceClient()
me = w.current_user.me()
assert "admins" in [g.display for g in me.groups], me

alice = w.users.create(user_name="alice@example.com", display_name="Alice")
bob = w.users.create(user_name="bob@example.com")
found = list(w.users.list(filter='userName sw "ali"'))
assert [u.user_name for u in found] == ["alice@example.com"], found
ordered = [u.user_name for u in w.users.list(sort_by="userName", sort_order=iam.ListSortOrder.DESCENDING)]
assert ordered == sorted(ordered, reverse=True), ordered
assert len(list(w.users.list(count=1))) == 3  # the SDK's own startIndex loop, one user a page
assert w.users.get(alice.id).display_name == "Alice"

# (The SDK leaves out a falsy `value`, so `active: False` cannot be patched through it.)
w.users.patch(alice.id, operations=[iam.Patch(op=iam.PatchOp.REPLACE, path="displayName", value="Al")],
              schemas=[iam.PatchSchema.URN_IETF_PARAMS_SCIM_API_MESSAGES_2_0_PATCH_OP])
assert w.users.get(alice.id).display_name == "Al"
w.users.update(alice.id, user_name="alice@example.com", display_name="Alice Smith")
assert w.users.get(alice.id).display_name == "Alice Smith"

group = w.groups.create(display_name="engineers", members=[iam.ComplexValue(value=alice.id)])
w.groups.patch(group.id, operations=[iam.Patch(op=iam.PatchOp.ADD, path="members", value=[{"value": bob.id}])])
assert sorted(m.value for m in w.groups.get(group.id).members) == sorted([alice.id, bob.id])
names = [g.display_name for g in w.groups.list()]
assert names == ["users", "admins", "engineers"], names
w.groups.delete(group.id)

sp = w.service_principals.create(application_id="6b1e2c4d-8f3a-4e5b-9c7d-0a1b2c3d4e5f", display_name="etl")
assert [s.application_id for s in w.service_principals.list(filter='displayName eq "etl"')] == [sp.application_id]
w.service_principals.delete(sp.id)
w.users.delete(bob.id)
assert [u.user_name for u in w.users.list(filter='userName eq "bob@example.com"')] == []
print("ok")
