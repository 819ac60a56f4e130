"""Acceptance run of the official Descope Python SDK against a running descope-emulator.

Environment: DESCOPE_EMULATOR_URL, DESCOPE_PROJECT_ID, DESCOPE_MANAGEMENT_KEY.
Prints one line per check and a closing "N passed, M failed"; exits non-zero on any failure.
The SDK is used unchanged: only `base_url` points it at the emulator.
"""

import base64
import hashlib
import hmac
import json
import os
import struct
import sys
import time
import traceback
import urllib.request

from descope import (
    AccessKeyLoginOptions,
    AssociatedFamily,
    AssociatedTenant,
    AuthException,
    DeliveryMethod,
    DescopeClient,
    FlowRunOptions,
    LoginOptions,
    RateLimitException,
)

BASE = os.environ["DESCOPE_EMULATOR_URL"]
PID = os.environ["DESCOPE_PROJECT_ID"]
MK = os.environ["DESCOPE_MANAGEMENT_KEY"]

client = DescopeClient(PID, management_key=MK, base_url=BASE)
RUN = str(int(time.time() * 1000))[-8:]
results = {"passed": 0, "failed": 0}


def check(name):
    def wrap(fn):
        try:
            fn()
            results["passed"] += 1
            print(f"PASS {name}")
        except Exception:  # noqa: BLE001 - report every failure and go on
            results["failed"] += 1
            print(f"FAIL {name}")
            traceback.print_exc(file=sys.stdout)
        return fn

    return wrap


def outbox(login_id):
    req = urllib.request.Request(
        f"{BASE}/emulator/outbox?loginId={urllib.request.quote(login_id)}",
        headers={"Authorization": f"Bearer {PID}:{MK}"},
    )
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())["messages"]


def last(login_id):
    msgs = outbox(login_id)
    assert msgs, f"no message in the outbox for {login_id}"
    return msgs[-1]


def totp_code(key_b32):
    key = base64.b32decode(key_b32 + "=" * (-len(key_b32) % 8))
    counter = int(time.time() // 30)
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    o = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


def expect_auth_error(status, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except AuthException as e:
        assert e.status_code == status, f"expected {status}, got {e.status_code}: {e.error_message}"
        body = json.loads(e.error_message)
        assert body["errorCode"] and body["errorDescription"] and body["errorMessage"], body
        return body
    raise AssertionError(f"expected AuthException {status}")


def tokens(jwt_response):
    return jwt_response["sessionToken"]["jwt"], jwt_response["refreshSessionToken"]["jwt"]


TENANT = f"T-e2e-{RUN}"
state = {}


@check("mgmt: permissions, roles, tenants")
def _():
    client.mgmt.permission.create(f"read-{RUN}", "read things")
    client.mgmt.role.create(f"reader-{RUN}", "reads", permission_names=[f"read-{RUN}"])
    client.mgmt.tenant.create(f"Tenant {RUN}", id=TENANT, self_provisioning_domains=["e2e.example.com"])
    client.mgmt.role.create(f"t-admin-{RUN}", "tenant admin", permission_names=[f"read-{RUN}"], tenant_id=TENANT)
    t = client.mgmt.tenant.load(TENANT)
    assert t["name"] == f"Tenant {RUN}", t
    client.mgmt.tenant.update(TENANT, f"Tenant {RUN} renamed", self_provisioning_domains=["e2e.example.com"])
    assert client.mgmt.tenant.load(TENANT)["name"].endswith("renamed")
    found = client.mgmt.tenant.search_all(ids=[TENANT])["tenants"]
    assert [x["id"] for x in found] == [TENANT], found
    assert any(x["id"] == TENANT for x in client.mgmt.tenant.load_all()["tenants"])
    assert any(r["name"] == f"reader-{RUN}" for r in client.mgmt.role.load_all()["roles"])
    assert any(p["name"] == f"read-{RUN}" for p in client.mgmt.permission.load_all()["permissions"])


@check("mgmt: user create, load, update, patch, search, roles, tenants, status, delete")
def _():
    login = f"mgmt-{RUN}@example.com"
    u = client.mgmt.user.create(login, email=login, display_name="Mgmt User", role_names=[f"reader-{RUN}"])["user"]
    assert u["loginIds"] == [login] and u["name"] == "Mgmt User", u
    assert client.mgmt.user.load(login)["user"]["userId"] == u["userId"]
    assert client.mgmt.user.load_by_user_id(u["userId"])["user"]["email"] == login
    client.mgmt.user.update(login, email=login, display_name="Updated", role_names=[f"reader-{RUN}"])
    client.mgmt.user.patch(login, given_name="Given")
    got = client.mgmt.user.load(login)["user"]
    assert got["name"] == "Updated" and got["givenName"] == "Given", got
    client.mgmt.user.add_tenant(login, TENANT)
    client.mgmt.user.add_tenant_roles(login, TENANT, [f"t-admin-{RUN}"])
    client.mgmt.user.update_display_name(login, "Renamed")
    client.mgmt.user.update_phone(login, "+12125550199", True)
    client.mgmt.user.deactivate(login)
    assert client.mgmt.user.load(login)["user"]["status"] == "disabled"
    client.mgmt.user.activate(login)
    got = client.mgmt.user.load(login)["user"]
    assert got["status"] == "enabled" and got["name"] == "Renamed" and got["phone"] == "+12125550199", got
    assert got["userTenants"][0]["roleNames"] == [f"t-admin-{RUN}"], got
    res = client.mgmt.user.search_all(tenant_ids=[TENANT])["users"]
    assert [x["loginIds"][0] for x in res] == [login], res
    client.mgmt.user.delete(login)
    expect_auth_error(404, client.mgmt.user.load, login)


@check("errors: duplicate user 409, unknown user 404, bad management key 401")
def _():
    login = f"dup-{RUN}@example.com"
    client.mgmt.user.create(login, email=login)
    expect_auth_error(409, client.mgmt.user.create, login)
    expect_auth_error(404, client.mgmt.user.load, f"ghost-{RUN}")
    bad = DescopeClient(PID, management_key="wrong-key", base_url=BASE)
    expect_auth_error(401, bad.mgmt.user.load, login)


@check("test user + generated OTP: verify, validate, roles and tenants in the JWT")
def _():
    login = f"test-{RUN}@example.com"
    client.mgmt.user.create_test_user(
        login,
        email=login,
        role_names=[f"reader-{RUN}"],
        user_tenants=[AssociatedTenant(TENANT, [f"t-admin-{RUN}"])],
    )
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login)["code"]
    jwt = client.otp.verify_code(DeliveryMethod.EMAIL, login, code)
    assert jwt["user"]["loginIds"] == [login]
    st, rt = tokens(jwt)
    v = client.validate_session(st)
    assert v["projectId"] == PID and v["userId"] == jwt["user"]["userId"], v
    assert client.validate_roles(v, [f"reader-{RUN}"])
    assert client.validate_permissions(v, [f"read-{RUN}"])
    assert client.validate_tenant_roles(v, TENANT, [f"t-admin-{RUN}"])
    assert client.validate_tenant_permissions(v, TENANT, [f"read-{RUN}"])
    assert not client.validate_roles(v, ["nope"])
    state["test_login"] = login
    state["rt"] = rt
    state["st"] = st


@check("session: refresh, validate_and_refresh, me, history, my_tenants, select_tenant")
def _():
    rt = state["rt"]
    r = client.refresh_session(rt)
    assert r["sessionToken"]["sub"] == r["userId"]
    r2 = client.validate_and_refresh_session(state["st"], rt)
    assert r2["userId"] == r["userId"]
    me = client.me(rt)
    assert me["loginIds"] == [state["test_login"]], me
    hist = client.history(rt)
    assert len(hist) >= 1 and hist[0]["userId"] == r["userId"], hist
    mt = client.my_tenants(rt, ids=[TENANT])
    assert [t["id"] for t in mt["tenants"]] == [TENANT], mt
    sel = client.select_tenant(TENANT, rt)
    assert sel["sessionToken"]["dct"] == TENANT, sel["sessionToken"]
    assert client.my_tenants(sel["refreshSessionToken"]["jwt"], dct=True)["tenants"][0]["id"] == TENANT


@check("OTP over email, SMS, voice and WhatsApp: sign up, sign in, sign up or in, verify")
def _():
    cases = [
        (DeliveryMethod.EMAIL, f"otp-{RUN}@example.com"),
        (DeliveryMethod.SMS, f"+1212{RUN[-7:]}"),
        (DeliveryMethod.VOICE, f"+1313{RUN[-7:]}"),
        (DeliveryMethod.WHATSAPP, f"+1414{RUN[-7:]}"),
    ]
    for method, login in cases:
        masked = client.otp.sign_up(method, login, {"name": "OTP User"})
        assert "*" in masked, masked
        jwt = client.otp.verify_code(method, login, last(login)["code"])
        assert jwt["firstSeen"] is True and jwt["user"]["name"] == "OTP User", jwt["user"]
        client.otp.sign_in(method, login)
        jwt = client.otp.verify_code(method, login, last(login)["code"])
        assert jwt["firstSeen"] is False
        client.otp.sign_up_or_in(method, login)
        client.otp.verify_code(method, login, last(login)["code"])


@check("OTP errors: wrong code 401, expired/used code 401")
def _():
    login = f"otp-{RUN}@example.com"
    client.otp.sign_in(DeliveryMethod.EMAIL, login)
    code = last(login)["code"]
    wrong = "000000" if code != "000000" else "111111"
    expect_auth_error(401, client.otp.verify_code, DeliveryMethod.EMAIL, login, wrong)
    client.otp.verify_code(DeliveryMethod.EMAIL, login, code)
    expect_auth_error(401, client.otp.verify_code, DeliveryMethod.EMAIL, login, code)


@check("OTP update email with a refresh token")
def _():
    login = f"otp-{RUN}@example.com"
    client.otp.sign_in(DeliveryMethod.EMAIL, login)
    _, rt = tokens(client.otp.verify_code(DeliveryMethod.EMAIL, login, last(login)["code"]))
    new = f"otp-new-{RUN}@example.com"
    masked = client.otp.update_user_email(login, new, rt)
    assert masked.startswith("o***@"), masked
    jwt = client.otp.verify_code(DeliveryMethod.EMAIL, login, last(login)["code"])
    assert jwt["user"]["email"] == new, jwt["user"]


@check("magic link: sign up or in, verify, reused token is 401")
def _():
    login = f"ml-{RUN}@example.com"
    masked = client.magiclink.sign_up_or_in(DeliveryMethod.EMAIL, login, "http://localhost:3000/verify")
    assert masked.startswith("m***@"), masked
    link = last(login)["link"]
    assert link.startswith("http://localhost:3000/verify?t="), link
    token = link.split("t=")[1]
    jwt = client.magiclink.verify(token)
    assert jwt["user"]["loginIds"] == [login]
    expect_auth_error(401, client.magiclink.verify, token)


@check("magic link for a test user")
def _():
    link = client.mgmt.user.generate_magic_link_for_test_user(DeliveryMethod.EMAIL, state["test_login"], "http://x/y")["link"]
    jwt = client.magiclink.verify(link.split("t=")[1])
    assert jwt["user"]["loginIds"] == [state["test_login"]]


@check("enchanted link: pending is 401 until verified, then tokens")
def _():
    login = f"el-{RUN}@example.com"
    resp = client.enchantedlink.sign_up(login, "http://localhost:3000/el", {"name": "EL"})
    assert resp["linkId"] and resp["pendingRef"] and resp["maskedEmail"], resp
    expect_auth_error(401, client.enchantedlink.get_session, resp["pendingRef"])
    client.enchantedlink.verify(last(login)["token"])
    jwt = client.enchantedlink.get_session(resp["pendingRef"])
    assert jwt["user"]["loginIds"] == [login]
    client.validate_session(jwt["sessionToken"]["jwt"])


@check("enchanted link for a test user")
def _():
    r = client.mgmt.user.generate_enchanted_link_for_test_user(state["test_login"], "http://x/el")
    client.enchantedlink.verify(r["link"].split("t=")[1])
    jwt = client.enchantedlink.get_session(r["pendingRef"])
    assert jwt["user"]["loginIds"] == [state["test_login"]]


@check("embedded link")
def _():
    token = client.mgmt.user.generate_embedded_link(state["test_login"], {"e2e": RUN})
    jwt = client.magiclink.verify(token)
    assert jwt["sessionToken"]["e2e"] == RUN


@check("password: policy, sign up, sign in, weak password refused, update, replace, reset")
def _():
    login = f"pwd-{RUN}@example.com"
    policy = client.password.get_policy()
    assert policy["minLength"] >= 6, policy
    expect_auth_error(400, client.password.sign_up, login, "weak")
    jwt = client.password.sign_up(login, "Str0ngPassword", {"name": "Pwd"})
    assert jwt["user"]["name"] == "Pwd"
    _, rt = tokens(client.password.sign_in(login, "Str0ngPassword"))
    expect_auth_error(401, client.password.sign_in, login, "Wr0ngPassword")
    client.password.update(login, "N3wPassword!", rt)
    client.password.sign_in(login, "N3wPassword!")
    client.password.replace(login, "N3wPassword!", "Th1rdPassword")
    client.password.sign_in(login, "Th1rdPassword")
    reset = client.password.send_reset(login, "http://localhost:3000/reset")
    assert reset["resetMethod"] == "magiclink", reset
    client.magiclink.verify(last(login)["token"])
    client.mgmt.user.set_active_password(login, "Act1vePassword")
    client.password.sign_in(login, "Act1vePassword")


@check("TOTP: sign up returns key and QR image, sign in with an RFC 6238 code, update")
def _():
    login = f"totp-{RUN}@example.com"
    r = client.totp.sign_up(login, {"name": "TOTP"})
    assert r["provisioningURL"].startswith("otpauth://totp/"), r["provisioningURL"]
    assert base64.b64decode(r["image"])[:4] == b"\x89PNG"
    jwt = client.totp.sign_in_code(login, totp_code(r["key"]))
    assert jwt["sessionToken"]["amr"] == ["totp"], jwt["sessionToken"]
    expect_auth_error(401, client.totp.sign_in_code, login, "000000" if totp_code(r["key"]) != "000000" else "111111")
    r2 = client.totp.update_user(login, jwt["refreshSessionToken"]["jwt"])
    assert r2["key"] != r["key"]
    client.totp.sign_in_code(login, totp_code(r2["key"]))


@check("access keys: create, load, search, update, exchange with claims and tenant, deactivate, delete")
def _():
    created = client.mgmt.access_key.create(
        f"key-{RUN}",
        role_names=[f"reader-{RUN}"],
        key_tenants=[AssociatedTenant(TENANT)],
        custom_claims={"svc": "e2e"},
    )
    key_id, secret = created["key"]["id"], created["cleartext"]
    assert client.mgmt.access_key.load(key_id)["key"]["name"] == f"key-{RUN}"
    assert any(k["id"] == key_id for k in client.mgmt.access_key.search_all_access_keys([TENANT])["keys"])
    client.mgmt.access_key.update(key_id, f"key-{RUN}-renamed")
    x = client.exchange_access_key(secret, login_options=AccessKeyLoginOptions(custom_claims={"k": "v"}, selected_tenant=TENANT))
    assert x["keyId"] == key_id, x
    st = x["sessionToken"]
    assert st["nsec"] == {"k": "v"} and st["dct"] == TENANT and st["svc"] == "e2e", st
    assert client.validate_roles(x, [f"reader-{RUN}"])
    client.mgmt.access_key.deactivate(key_id)
    expect_auth_error(401, client.exchange_access_key, secret)
    client.mgmt.access_key.activate(key_id)
    client.exchange_access_key(secret)
    client.mgmt.access_key.delete(key_id)
    expect_auth_error(401, client.exchange_access_key, secret)


@check("logout revokes the refresh token; logout_all revokes every session")
def _():
    login = state["test_login"]
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login)["code"]
    _, rt1 = tokens(client.otp.verify_code(DeliveryMethod.EMAIL, login, code))
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, login)["code"]
    _, rt2 = tokens(client.otp.verify_code(DeliveryMethod.EMAIL, login, code))
    client.logout(rt1)
    expect_auth_error(401, client.me, rt1)
    client.me(rt2)
    client.logout_all(rt2)
    expect_auth_error(401, client.me, rt2)


@check("step-up sign-in keeps the session's factors")
def _():
    login = f"otp-{RUN}@example.com"
    client.otp.sign_in(DeliveryMethod.EMAIL, login)
    _, rt = tokens(client.otp.verify_code(DeliveryMethod.EMAIL, login, last(login)["code"]))
    client.otp.sign_in(DeliveryMethod.EMAIL, login, LoginOptions(stepup=True, custom_claims={"su": 1}), refresh_token=rt)
    jwt = client.otp.verify_code(DeliveryMethod.EMAIL, login, last(login)["code"])
    assert jwt["sessionToken"]["su"] == 1 and "email" in jwt["sessionToken"]["amr"], jwt["sessionToken"]


README_FGA_SCHEMA = """model AuthZ 1.0

type user

type folder
  relation parent: folder
  relation owner: user
  relation viewer: user

  permission can_view: viewer | owner | parent.owner

type doc
  relation parent: folder
  relation owner: user
  relation viewer: user

  permission can_edit: owner | parent.owner
  permission can_view: viewer | can_edit
"""


@check("mgmt modules: FGA check, flow and theme round trip, audit, JWT update, export")
def _():
    fga = client.mgmt.fga
    fga.save_schema(README_FGA_SCHEMA)
    t = lambda ty, res, rel, target: {  # noqa: E731
        "resource": res, "resourceType": ty, "relation": rel, "target": target, "targetType": "user",
    }
    parent = {"resource": f"doc-{RUN}", "resourceType": "doc", "relation": "parent",
              "target": f"folder-{RUN}", "targetType": "folder"}
    fga.create_relations([t("folder", f"folder-{RUN}", "owner", "ann"), parent,
                          t("doc", f"doc-{RUN}", "viewer", "vic")])
    got = fga.check([t("doc", f"doc-{RUN}", "can_view", "ann"), t("doc", f"doc-{RUN}", "can_edit", "vic")])
    assert [r["allowed"] for r in got] == [True, False], got
    flow = client.mgmt.flow.import_flow(f"flow-{RUN}", {"name": "F", "dsl": {"a": 1}}, [])
    assert client.mgmt.flow.export_flow(f"flow-{RUN}") == flow
    assert any(f["id"] == f"flow-{RUN}" for f in client.mgmt.flow.list_flows()["flows"])
    client.mgmt.flow.delete_flows([f"flow-{RUN}"])
    client.mgmt.flow.import_theme({"cssTemplate": {"x": RUN}})
    assert client.mgmt.flow.export_theme()["theme"]["cssTemplate"]["x"] == RUN
    logins = client.mgmt.audit.search(actions=["LoginSucceed"])["audits"]
    assert logins and logins[0]["action"] == "LoginSucceed" and logins[0]["loginIds"], logins[:1]
    client.mgmt.user.create_test_user(f"jwt-{RUN}@example.com", email=f"jwt-{RUN}@example.com")
    code = client.mgmt.user.generate_otp_for_test_user(DeliveryMethod.EMAIL, f"jwt-{RUN}@example.com")["code"]
    session, _ = tokens(client.otp.verify_code(DeliveryMethod.EMAIL, f"jwt-{RUN}@example.com", code))
    updated = client.mgmt.jwt.update_jwt(session, {"plan": "gold"})
    assert client.validate_session(updated)["plan"] == "gold"
    files = client.mgmt.project.export_project()
    assert any(u["loginIds"] == [f"jwt-{RUN}@example.com"] for u in files["users.json"]), list(files)


@check("user import, families, and flow runs (sync and async)")
def _():
    login = f"imp-{RUN}@example.com"
    users = json.dumps([{"email": login, "name": "Imported"}]).encode()
    dry = client.mgmt.user.import_users("auth0", users=users, dryrun=True)
    assert [u["loginIds"] for u in dry["users"]] == [[login]] and dry["failures"] == [], dry
    expect_auth_error(404, client.mgmt.user.load, login)
    done = client.mgmt.user.import_users("auth0", users=users)
    assert done["users"][0]["name"] == "Imported", done
    again = client.mgmt.user.import_users("auth0", users=users)
    assert again["users"] == [] and again["failures"][0]["user"] == login, again
    client.mgmt.user.add_families(login, [AssociatedFamily("fam1", ["parent"]), AssociatedFamily("fam2")])
    client.mgmt.user.remove_families(login, ["fam2"])
    fams = client.mgmt.user.load(login)["user"]["familyAssociations"]
    assert fams == [{"familyId": "fam1", "roleNames": ["parent"]}], fams
    client.mgmt.user.delete(login)

    flow_id = f"run-{RUN}"
    expect_auth_error(404, client.mgmt.flow.run_flow, flow_id)
    client.mgmt.flow.import_flow(flow_id, {"name": "Run me"}, [])
    out = client.mgmt.flow.run_flow(flow_id, FlowRunOptions(flow_input={"k": "v"}))
    assert out["status"] == "completed" and out["output"]["input"] == {"k": "v"}, out
    execution = client.mgmt.flow.run_flow_async(flow_id, {"input": {"n": 1}})["executionId"]
    result = client.mgmt.flow.get_flow_async_result(execution)
    assert result["status"] == "completed" and result["output"]["input"] == {"n": 1}, result
    client.mgmt.flow.delete_flows([flow_id])


@check("an unimplemented endpoint answers 501")
def _():
    # A path no Descope API has, sent through the SDK's own management HTTP client.
    path = "/v1/mgmt/emulator/no/such/path"
    body = expect_auth_error(501, client.mgmt.flow._http.post, path, body={})
    assert path in body["errorMessage"], body


@check("cleanup: delete tenant with cascade, delete all test users")
def _():
    client.mgmt.tenant.delete(TENANT, cascade=True)
    expect_auth_error(404, client.mgmt.tenant.load, TENANT)
    client.mgmt.user.delete_all_test_users()
    expect_auth_error(404, client.mgmt.user.load, state["test_login"])


print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
