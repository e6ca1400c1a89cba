//! SCIM 2.0 (`/api/2.0/preview/scim/v2/`): users, groups and service principals of the
//! directory ([`crate::users`]), and `Me`. Reading is open to every user; creating, replacing,
//! patching and deleting need a workspace admin. Lists take filters (`eq`, `co`, `sw`, `and`),
//! `attributes`/`excludedAttributes`, `sortBy`/`sortOrder` and pages by `startIndex`/`count`
//! ([`query`]). Membership of `admins` is being a workspace admin; everyone is in `users`,
//! whose members cannot be changed; nested groups are listed as members but give their
//! members nothing.

mod query;

use azure_databricks_sdk::models::{PatchRequest, ScimListRequest};
use serde_json::{Map, Value, json};

use crate::api::Call;
use crate::api::params::{Params, Shape};
use crate::error::ApiError;
use crate::users::{ADMINS_GROUP, Kind, USERS_GROUP, Users};
use crate::workspace::Workspace;
use query::{Filter, MAX_COUNT};

type Answer = Result<Value, ApiError>;

const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const SP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServicePrincipal";
const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// Attributes the directory keeps itself: never stored in a resource's attributes.
const COMPUTED: &[&str] = &[
    "id",
    "schemas",
    "groups",
    "meta",
    "userName",
    "applicationId",
];

/// Refuses callers who are not workspace admins.
fn admins_only(call: &Call) -> Result<(), ApiError> {
    call.caller
        .require_admin("change users, groups and service principals")
}

fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "User",
        Kind::ServicePrincipal => "Service principal",
    }
}

fn path_of(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "Users",
        Kind::ServicePrincipal => "ServicePrincipals",
    }
}

/// The id of the path (SCIM ids are numbers).
fn id_param(params: &Params, what: &str) -> Result<u64, ApiError> {
    let id = params.str("id")?;
    id.parse()
        .map_err(|_| ApiError::not_found(format!("{what} {id} not found")))
}

/// The request's attributes, without those the directory keeps and the path's `id`.
fn attributes(params: &Params) -> Map<String, Value> {
    let mut doc = match params.to_json() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    doc.retain(|k, _| !COMPUTED.iter().any(|c| c.eq_ignore_ascii_case(k)));
    doc
}

/// `[{"value": "<id>"}, ...]` of a request attribute, as ids.
fn member_ids(users: &Users, value: Option<&Value>) -> Result<Vec<u64>, ApiError> {
    let Some(Value::Array(items)) = value else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|item| {
            let text = item
                .get("value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id: u64 = text.parse().unwrap_or(0);
            let known = users.by_id(id).is_some() || users.group(id).is_some();
            known
                .then_some(id)
                .ok_or_else(|| ApiError::not_found(format!("Member {text} not found")))
        })
        .collect()
}

fn group_ref(users: &Users, id: u64) -> Value {
    match users.by_id(id) {
        Some((name, user)) => {
            let display = user.doc.get("displayName").cloned().unwrap_or(json!(name));
            json!({"value": id.to_string(), "display": display, "$ref": format!("{}/{id}", path_of(user.kind))})
        }
        None => {
            let display = users.group(id).map(|g| g.name.clone()).unwrap_or_default();
            json!({"value": id.to_string(), "display": display, "$ref": format!("Groups/{id}")})
        }
    }
}

/// A user or service principal as SCIM shows it.
fn principal_json(users: &Users, name: &str) -> Value {
    let Some(user) = users.get(name) else {
        return Value::Null;
    };
    let mut doc = user.doc.clone();
    let (schema, name_key) = match user.kind {
        Kind::User => (USER_SCHEMA, "userName"),
        Kind::ServicePrincipal => (SP_SCHEMA, "applicationId"),
    };
    doc.insert("id".into(), json!(user.id.to_string()));
    doc.insert(name_key.into(), json!(name));
    doc.insert("schemas".into(), json!([schema]));
    doc.entry("active").or_insert(json!(true));
    let groups: Vec<Value> = users
        .groups_of(user.id)
        .into_iter()
        .map(|(gid, gname)| json!({"value": gid.to_string(), "display": gname, "type": "direct", "$ref": format!("Groups/{gid}")}))
        .collect();
    doc.insert("groups".into(), Value::Array(groups));
    Value::Object(doc)
}

fn group_json(users: &Users, id: u64) -> Value {
    let Some(group) = users.group(id) else {
        return Value::Null;
    };
    let mut doc = group.doc.clone();
    doc.insert("id".into(), json!(id.to_string()));
    doc.insert("displayName".into(), json!(group.name));
    let members: Vec<Value> = users
        .members(id)
        .into_iter()
        .map(|m| group_ref(users, m))
        .collect();
    doc.insert("members".into(), Value::Array(members));
    doc.insert("schemas".into(), json!([GROUP_SCHEMA]));
    doc.insert("meta".into(), json!({"resourceType": "WorkspaceGroup"}));
    Value::Object(doc)
}

/// Filters, sorts, projects and pages resources into a SCIM list answer.
fn list(mut resources: Vec<Value>, params: &Params) -> Answer {
    let request: ScimListRequest =
        params.decode_query(&[("startIndex", Shape::Int), ("count", Shape::Int)])?;
    if let Some(filter) = request.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        let filter = Filter::parse(filter)?;
        resources.retain(|r| filter.matches(r));
    }
    if let Some(by) = request.sort_by.as_deref() {
        let descending = request
            .sort_order
            .as_ref()
            .is_some_and(|o| o.as_str() == "descending");
        query::sort(&mut resources, by, descending);
    }
    let total = resources.len();
    let start = request.start_index.unwrap_or(1).max(1);
    let count = request.count.unwrap_or(MAX_COUNT).clamp(0, MAX_COUNT);
    let page: Vec<Value> = resources
        .into_iter()
        .skip(usize::try_from(start - 1).unwrap_or(usize::MAX))
        .take(usize::try_from(count).unwrap_or(0))
        .map(|mut r| {
            query::project(
                &mut r,
                request.attributes.as_deref(),
                request.excluded_attributes.as_deref(),
            );
            r
        })
        .collect();
    let mut answer = json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": page.len(),
    });
    if !page.is_empty() {
        answer["Resources"] = Value::Array(page);
    }
    Ok(answer)
}

/// Adds or removes a member of a group: `admins` makes workspace admins, `users` cannot change.
fn set_member(ws: &mut Workspace, group: u64, member: u64, on: bool) -> Result<(), ApiError> {
    let name = ws
        .users
        .group(group)
        .map(|g| g.name.clone())
        .unwrap_or_default();
    match name.as_str() {
        USERS_GROUP => Err(ApiError::invalid_parameter(
            "The members of the built-in group users cannot be changed: everyone is a member",
        )),
        ADMINS_GROUP => {
            if let Some(user) = ws.users.by_id_mut(member) {
                user.admin = on;
            }
            Ok(())
        }
        _ => {
            if let Some(g) = ws.users.group_mut(group) {
                if on {
                    g.members.insert(member);
                } else {
                    g.members.remove(&member);
                }
            }
            Ok(())
        }
    }
}

/// Makes a group's members exactly `wanted` (unchanged for `users`).
fn set_members(ws: &mut Workspace, group: u64, wanted: &[u64]) -> Result<(), ApiError> {
    let current = ws.users.members(group);
    if ws.users.group(group).is_some_and(|g| g.name == USERS_GROUP) {
        return Ok(());
    }
    for m in current.iter().filter(|m| !wanted.contains(m)) {
        set_member(ws, group, *m, false)?;
    }
    for m in wanted.iter().filter(|m| !current.contains(m)) {
        set_member(ws, group, *m, true)?;
    }
    Ok(())
}

/// The name of a principal of `kind` with this id.
fn principal_name(ws: &Workspace, kind: Kind, id: u64) -> Result<String, ApiError> {
    ws.users
        .by_id(id)
        .filter(|(_, u)| u.kind == kind)
        .map(|(n, _)| n.to_string())
        .ok_or_else(|| ApiError::not_found(format!("{} {id} not found", noun(kind))))
}

fn create_principal(ws: &mut Workspace, call: &Call, params: &Params, kind: Kind) -> Answer {
    admins_only(call)?;
    let name_key = match kind {
        Kind::User => "userName",
        Kind::ServicePrincipal => "applicationId",
    };
    let name = params.str(name_key)?.to_string();
    if ws.users.get(&name).is_some() {
        return Err(ApiError::conflict(format!(
            "{} with {name_key} {name} already exists.",
            noun(kind)
        )));
    }
    let groups = member_ids(&ws.users, params.get("groups"))?;
    let mut doc = attributes(params);
    if kind == Kind::User {
        let display = name.split('@').next().unwrap_or(&name).to_string();
        doc.entry("displayName").or_insert(json!(display));
        doc.entry("emails")
            .or_insert(json!([{"value": name, "type": "work", "primary": true}]));
    }
    doc.entry("active").or_insert(json!(true));
    let id = ws.users.add_principal(&name, kind, false, doc);
    for group in groups {
        set_member(ws, group, id, true)?;
    }
    Ok(principal_json(&ws.users, &name))
}

fn get_principal(ws: &Workspace, params: &Params, kind: Kind) -> Answer {
    let name = principal_name(ws, kind, id_param(params, noun(kind))?)?;
    Ok(principal_json(&ws.users, &name))
}

fn list_principals(ws: &Workspace, params: &Params, kind: Kind) -> Answer {
    let mut all: Vec<(u64, &str)> = ws.users.principals(kind).map(|(n, u)| (u.id, n)).collect();
    all.sort();
    list(
        all.into_iter()
            .map(|(_, n)| principal_json(&ws.users, n))
            .collect(),
        params,
    )
}

fn replace_principal(ws: &mut Workspace, call: &Call, params: &Params, kind: Kind) -> Answer {
    admins_only(call)?;
    let id = id_param(params, noun(kind))?;
    let name = principal_name(ws, kind, id)?;
    check_name_kept(params.to_json(), kind, &name)?;
    let mut doc = attributes(params);
    doc.entry("active").or_insert(json!(true));
    if let Some(user) = ws.users.by_id_mut(id) {
        user.doc = doc;
    }
    Ok(principal_json(&ws.users, &name))
}

/// A user's `userName` and a service principal's `applicationId` cannot change.
fn check_name_kept(doc: Value, kind: Kind, name: &str) -> Result<(), ApiError> {
    let key = match kind {
        Kind::User => "userName",
        Kind::ServicePrincipal => "applicationId",
    };
    match doc.get(key).and_then(Value::as_str) {
        Some(other) if other != name => Err(ApiError::invalid_parameter(format!(
            "{key} cannot be changed ({name} → {other})"
        ))),
        _ => Ok(()),
    }
}

/// Applies the operations of a patch request to a resource's attributes.
fn patched(mut doc: Map<String, Value>, params: &Params) -> Result<Map<String, Value>, ApiError> {
    let request: PatchRequest = params.decode(&[])?;
    for op in &request.operations {
        let name = op
            .op
            .as_ref()
            .map(|o| o.as_str().to_string())
            .ok_or_else(|| ApiError::missing("op"))?;
        query::apply(&mut doc, &name, op.path.as_deref(), op.value.as_ref())?;
    }
    Ok(doc)
}

fn patch_principal(ws: &mut Workspace, call: &Call, params: &Params, kind: Kind) -> Answer {
    admins_only(call)?;
    let id = id_param(params, noun(kind))?;
    let name = principal_name(ws, kind, id)?;
    let Value::Object(current) = principal_json(&ws.users, &name) else {
        return Err(ApiError::internal("principal vanished"));
    };
    let doc = patched(current, params)?;
    check_name_kept(Value::Object(doc.clone()), kind, &name)?;
    let mut doc = doc;
    doc.retain(|k, _| !COMPUTED.iter().any(|c| c.eq_ignore_ascii_case(k)));
    if let Some(user) = ws.users.by_id_mut(id) {
        user.doc = doc;
    }
    Ok(principal_json(&ws.users, &name))
}

fn delete_principal(ws: &mut Workspace, call: &Call, params: &Params, kind: Kind) -> Answer {
    admins_only(call)?;
    let id = id_param(params, noun(kind))?;
    principal_name(ws, kind, id)?;
    ws.users.remove(id);
    Ok(json!({}))
}

macro_rules! principal_handlers {
    ($kind:expr, $create:ident, $get:ident, $list:ident, $replace:ident, $patch:ident, $delete:ident) => {
        /// `POST`: create (admins).
        pub(crate) fn $create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
            create_principal(ws, call, params, $kind)
        }
        /// `GET /{id}`.
        pub(crate) fn $get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
            get_principal(ws, params, $kind)
        }
        /// `GET`: filtered, sorted, paged.
        pub(crate) fn $list(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
            list_principals(ws, params, $kind)
        }
        /// `PUT /{id}`: replace (admins).
        pub(crate) fn $replace(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
            replace_principal(ws, call, params, $kind)
        }
        /// `PATCH /{id}` (admins).
        pub(crate) fn $patch(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
            patch_principal(ws, call, params, $kind)
        }
        /// `DELETE /{id}` (admins).
        pub(crate) fn $delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
            delete_principal(ws, call, params, $kind)
        }
    };
}

principal_handlers!(
    Kind::User,
    users_create,
    users_get,
    users_list,
    users_replace,
    users_patch,
    users_delete
);
principal_handlers!(
    Kind::ServicePrincipal,
    service_principals_create,
    service_principals_get,
    service_principals_list,
    service_principals_replace,
    service_principals_patch,
    service_principals_delete
);

/// `GET Me`: the caller as a SCIM user.
pub(crate) fn me(ws: &mut Workspace, call: &Call, _: &Params) -> Answer {
    let mut me = principal_json(&ws.users, &call.caller.name);
    if let Value::Object(map) = &mut me {
        // `Me` is a user, whoever calls.
        if let Some(app) = map.remove("applicationId") {
            map.insert("userName".into(), app);
        }
        map.insert("schemas".into(), json!([USER_SCHEMA]));
    }
    Ok(me)
}

fn group_id(ws: &Workspace, params: &Params) -> Result<u64, ApiError> {
    let id = id_param(params, "Group")?;
    ws.users
        .group(id)
        .map(|_| id)
        .ok_or_else(|| ApiError::not_found(format!("Group {id} not found")))
}

/// Sets a group's name (unique) and attributes.
fn store_group(
    ws: &mut Workspace,
    id: u64,
    mut doc: Map<String, Value>,
) -> Result<Vec<u64>, ApiError> {
    let name = doc
        .get("displayName")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| ApiError::missing("displayName"))?
        .to_string();
    if ws.users.group_id(&name).is_some_and(|other| other != id) {
        return Err(ApiError::conflict(format!(
            "Group with name {name} already exists."
        )));
    }
    let members = member_ids(&ws.users, doc.get("members"))?;
    let group = ws
        .users
        .group_mut(id)
        .ok_or_else(|| ApiError::internal("group vanished"))?;
    if (group.name == USERS_GROUP || group.name == ADMINS_GROUP) && group.name != name {
        return Err(ApiError::invalid_parameter(format!(
            "The built-in group {} cannot be renamed",
            group.name
        )));
    }
    doc.retain(|k, _| {
        !["displayName", "members"].contains(&k.as_str())
            && !COMPUTED.iter().any(|c| c.eq_ignore_ascii_case(k))
    });
    group.name = name;
    group.doc = doc;
    Ok(members)
}

/// `POST Groups` (admins).
pub(crate) fn groups_create(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let name = params.str("displayName")?;
    if ws.users.group_id(name).is_some() {
        return Err(ApiError::conflict(format!(
            "Group with name {name} already exists."
        )));
    }
    let id = ws.users.add_group(name, Map::new());
    let doc = match params.to_json() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    match store_group(ws, id, doc) {
        Ok(members) => set_members(ws, id, &members)?,
        Err(e) => {
            ws.users.remove_group(id);
            return Err(e);
        }
    }
    Ok(group_json(&ws.users, id))
}

/// `GET Groups/{id}`.
pub(crate) fn groups_get(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    Ok(group_json(&ws.users, group_id(ws, params)?))
}

/// `GET Groups`.
pub(crate) fn groups_list(ws: &mut Workspace, _: &Call, params: &Params) -> Answer {
    let all: Vec<Value> = ws
        .users
        .groups()
        .map(|(id, _)| group_json(&ws.users, id))
        .collect();
    list(all, params)
}

/// `PUT Groups/{id}` (admins): name, attributes and the whole member list.
pub(crate) fn groups_replace(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let id = group_id(ws, params)?;
    let doc = match params.to_json() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let members = store_group(ws, id, doc)?;
    set_members(ws, id, &members)?;
    Ok(group_json(&ws.users, id))
}

/// `PATCH Groups/{id}` (admins): members added with `add` on `members`, removed with
/// `remove` on `members[value eq "<id>"]`.
pub(crate) fn groups_patch(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let id = group_id(ws, params)?;
    let Value::Object(current) = group_json(&ws.users, id) else {
        return Err(ApiError::internal("group vanished"));
    };
    let before = ws.users.members(id);
    let doc = patched(current, params)?;
    let members = store_group(ws, id, doc)?;
    if members != before {
        set_members(ws, id, &members)?;
    }
    Ok(group_json(&ws.users, id))
}

/// `DELETE Groups/{id}` (admins); the built-in groups stay.
pub(crate) fn groups_delete(ws: &mut Workspace, call: &Call, params: &Params) -> Answer {
    admins_only(call)?;
    let id = group_id(ws, params)?;
    if let Some(group) = ws.users.group(id)
        && (group.name == USERS_GROUP || group.name == ADMINS_GROUP)
    {
        return Err(ApiError::invalid_parameter(format!(
            "The built-in group {} cannot be deleted",
            group.name
        )));
    }
    ws.users.remove_group(id);
    Ok(json!({}))
}
