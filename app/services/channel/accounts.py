"""WhatsApp accounts: configuration (validated), look-up by webhook key, and the views of an account
that are safe to show: secrets are encrypted at rest and never leave this module in clear
except through `provider_access.provider_config`, which adapters need to call the provider."""

import functools
import secrets
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pydantic

from app import crypto
from app.db import get_db
from app.domain.shapes import CREDENTIAL, DEFAULT_RATE, Account, AccountSettings, Shape
from app.providers import base
from app.services import config_cache
from app.services.channel import account_fields, reauth, reply_routes
from app.services.contacts.phones import to_e164
from app.services.errors import Conflict, ValidationFailed
from app.services.setup.queue_admin import queues_of_agent
from app.services.setup.records import Fields, contains, fetch, now, object_id, paginate, public

# The assistant's API key (settings.chatbot.api_key on input), Fernet-encrypted in this field of the account.
ASSISTANT_KEY = "assistant_api_key"


def default_settings():
    settings = AccountSettings().model_dump()
    settings["chatbot"].pop("api_key")  # write-only: kept encrypted in ASSISTANT_KEY, never in the settings
    return settings


def _encrypted_key(chatbot):
    """The assistant key of a checked chatbot section, encrypted (None: none given, keep the stored one)."""
    key = chatbot.pop("api_key", "")
    return crypto.encrypt(key) if key else None


def create_account(name, provider, phone, queue_id=None, credentials=None, secret_values=None, api_base=None,
                   contact_list_id=None, settings=None, assistant_key=None):
    """Create an account; `secret_values` are encrypted before they are stored."""
    if not (name or "").strip():
        raise ValidationFailed("The account cannot be created.", {"name": "Name is required."})
    now = datetime.now(timezone.utc)
    doc = {
        "name": name.strip(),
        "provider": provider,
        "phone": to_e164(phone),
        "api_base": api_base,
        "credentials": dict(credentials or {}),
        "secrets": {k: crypto.encrypt(v) for k, v in (secret_values or {}).items() if v},
        "webhook_key": secrets.token_urlsafe(24),
        "queue_id": queue_id,
        "contact_list_id": contact_list_id,
        "settings": settings or default_settings(),
        ASSISTANT_KEY: assistant_key,
        "status": "active",
        "created_at": now,
        "updated_at": now,
    }
    doc["_id"] = get_db().accounts.insert_one(doc).inserted_id
    config_cache.changed()
    return doc


def find_by_webhook_key(key):
    """The account of a webhook URL (asked on every webhook): from the configuration cache, secrets still
    encrypted, read-only (shared by every webhook, not copied for each)."""
    return config_cache.view(("account-by-key", key), lambda: get_db().accounts.find_one({"webhook_key": key}))


def cached_account(account_id):
    """The account by id for the message path (inbound processing, sends): from the configuration cache."""
    return config_cache.cached(("account", account_id), lambda: get_db().accounts.find_one({"_id": account_id}))


def find_by_name(name):
    return get_db().accounts.find_one({"name": name})


# -- configuration by admins (pages and REST API) ---------------------------------------------
NOUN = "account"
WEBHOOK_PATH = "/webhooks/whatsapp/"


@functools.cache
def credentials_shape(provider):
    """The credential fields of a provider, as a shape (none for an unknown provider)."""
    names = [c.name for c in account_fields.credential_fields(provider)] if provider else []
    return pydantic.create_model(f"{provider}Credentials", __base__=Shape, **dict.fromkeys(names, (CREDENTIAL, "")))


def _check_credentials(fields, info, stored_secrets):
    """Split credentials into plain values and secrets to encrypt; an empty secret keeps the stored one."""
    plain, secret_values = {}, {}
    section = fields.nested("credentials", credentials_shape(info.name)) or {}
    for cred in info.credential_fields:
        value = section.get(cred.name)
        if value is None:
            continue
        if cred.secret:
            if value:
                secret_values[cred.name] = value
            elif cred.name not in stored_secrets:
                if cred.generated:
                    secret_values[cred.name] = base.generate_secret()
                elif cred.required:
                    fields.fail(f"credentials.{cred.name}", "Required.")
        elif cred.required and not value:
            fields.fail(f"credentials.{cred.name}", "Required.")
        else:
            plain[cred.name] = value
    return plain, secret_values


def _check_api_base(fields, info):
    value = fields.values.get("api_base")
    if value is None:
        return
    if not value or value.rstrip("/") == info.default_api_base:
        fields.values["api_base"] = None
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        fields.fail("api_base", "Enter an http(s) URL, or leave empty for the provider's own endpoint.")
    else:
        fields.values["api_base"] = value.rstrip("/")


def _check_settings(fields, provider, current, account_id):
    info = account_fields.provider(provider)
    section = fields.values.get("settings")
    if section is None:
        return
    types = section.get("allowed_attachment_types", current["allowed_attachment_types"])
    size = section.get("max_attachment_bytes", current["max_attachment_bytes"])
    ceiling = account_fields.max_attachment_limit(provider, types or [])
    if types and size is not None and size > ceiling and "settings.max_attachment_bytes" not in fields.errors:
        fields.fail("settings.max_attachment_bytes", f"{info.label} accepts at most {account_fields.human_size(ceiling)} "
                                                     f"for the allowed attachment types.")
    template_id = section.get("recontact_template_id")
    if template_id and not get_db().templates.count_documents({"_id": template_id, "account_id": account_id}):
        fields.fail("settings.recontact_template_id", "Pick a template of this account.")
    _check_chatbot(fields, section.get("chatbot"), current["chatbot"])
    if "reply_routes" in section:
        section["reply_routes"], problem = reply_routes.checked(section["reply_routes"])
        if problem:
            fields.fail("settings.reply_routes", problem)


def _check_chatbot(fields, chatbot, current):
    if chatbot is None:
        return
    endpoint = chatbot.get("endpoint")
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            fields.fail("settings.chatbot.endpoint", "Enter an http(s) URL.")
        else:
            chatbot["endpoint"] = endpoint.rstrip("/")
    merged = {**current, **chatbot}
    if merged["enabled"]:
        if not merged["endpoint"]:
            fields.fail("settings.chatbot.endpoint", "Required while the assistant is enabled.")
        if not merged["model"]:
            fields.fail("settings.chatbot.model", "Required while the assistant is enabled.")


def _check(data, existing=None):
    partial = existing is not None
    fields = Fields(Account, data, partial)
    provider = fields.values.get("provider")
    if existing and provider and provider != existing["provider"]:
        fields.fail("provider", "The provider of an account cannot change; create a new account instead.")
    provider = existing["provider"] if existing else provider
    phone = fields.values.get("phone")
    if phone:
        try:
            fields.values["phone"] = to_e164(phone)
        except ValidationFailed as exc:
            fields.fail("phone", exc.fields["phone"])
    if provider is None:  # nothing provider-specific can be checked
        fields.nested("credentials", credentials_shape(None))
        fields.finish("The account cannot be saved.")
    info = account_fields.provider(provider)
    _check_api_base(fields, info)
    plain, secret_values = _check_credentials(fields, info, (existing or {}).get("secrets", {}))
    current = {**default_settings(), **(existing or {}).get("settings", {})}
    current["chatbot"] = {**default_settings()["chatbot"], **current.get("chatbot", {})}
    _check_settings(fields, provider, current, existing and existing["_id"])
    values = fields.finish("The account cannot be saved.")
    values.pop("credentials", None)
    if values.get("phone") and get_db().accounts.find_one(
            {"phone": values["phone"], "_id": {"$ne": (existing or {}).get("_id")}}, {"_id": 1}):
        raise Conflict("Another account already uses this business number.", {"phone": "Already used by another account."})
    return values, plain, secret_values


def list_accounts(search=None, page=None, per_page=None, provider=None, queue_id=None):
    query = {}
    if search:
        query["$or"] = [{"name": contains(search)}, {"phone": contains(search)}]
    if provider:
        query["provider"] = provider
    if queue_id:
        query["queue_id"] = object_id(queue_id, "queue")
    return paginate("accounts", query, [("name", 1)], page, per_page)


def visible_to(user):
    """The accounts whose conversations a user works: every account for admins, their queues' for agents."""
    query = {} if user["role"] == "admin" else {"queue_id": {"$in": [q["_id"] for q in queues_of_agent(user["_id"])]}}
    return list(get_db().accounts.find(query).sort("name", 1))


def all_accounts():
    return list(get_db().accounts.find({}, {"name": 1, "provider": 1, "settings.messages_per_second": 1}).sort("name", 1))


def messages_per_second(doc):
    """The number's throughput tier: the most messages a second it may send (an account saved
    before the setting existed has Meta's standard tier)."""
    return (doc.get("settings") or {}).get("messages_per_second", DEFAULT_RATE)


def get_account(account_id):
    return fetch("accounts", account_id, NOUN)


def create(data):
    values, plain, secret_values = _check(data)
    settings = {**default_settings(), **values.get("settings", {})}
    settings["chatbot"] = {**default_settings()["chatbot"], **settings.get("chatbot", {})}
    key = _encrypted_key(settings["chatbot"])
    return create_account(values["name"], values["provider"], values["phone"], queue_id=values.get("queue_id"),
                          credentials=plain, secret_values=secret_values, api_base=values.get("api_base"),
                          contact_list_id=values.get("contact_list_id"), settings=settings, assistant_key=key)


def update(account_id, data):
    doc = get_account(account_id)
    values, plain, secret_values = _check(data, existing=doc)
    values.pop("provider", None)
    changes = {k: v for k, v in values.items() if k != "settings"}
    for key, value in values.get("settings", {}).items():
        if key == "chatbot":
            assistant_key = _encrypted_key(value)
            if assistant_key:
                changes[ASSISTANT_KEY] = assistant_key
            changes.update({f"settings.chatbot.{k}": v for k, v in value.items()})
        else:
            changes[f"settings.{key}"] = value
    changes.update({f"credentials.{k}": v for k, v in plain.items()})
    changes.update({f"secrets.{k}": crypto.encrypt(v) for k, v in secret_values.items()})
    changes["updated_at"] = now()
    get_db().accounts.update_one({"_id": doc["_id"]}, {"$set": changes})
    config_cache.changed()
    if doc.get("status") == "needs_reauth" and (plain or secret_values):
        reauth.credentials_renewed(doc["_id"])  # new credentials: active again, held messages go out
    return get_account(doc["_id"])


def delete(account_id):
    doc = get_account(account_id)
    get_db().accounts.delete_one({"_id": doc["_id"]})
    config_cache.changed()
    get_db().templates.delete_many({"account_id": doc["_id"]})
    return doc


def webhook_url(doc, base_url):
    return base_url.rstrip("/") + WEBHOOK_PATH + doc["webhook_key"]


def effective_api_base(doc):
    return doc.get("api_base") or account_fields.provider(doc["provider"]).default_api_base


def public_account(doc, base_url):
    """The account as the API and pages show it: no secret values, only which secrets are set."""
    out = public(doc, drop=("secrets", ASSISTANT_KEY))
    out["api_base"] = effective_api_base(doc)
    out["secrets_set"] = sorted(doc.get("secrets", {}))
    out["settings"] = {**out.get("settings", {}), "messages_per_second": messages_per_second(doc)}
    out["settings"]["chatbot"] = {**default_settings()["chatbot"], **out["settings"].get("chatbot", {})}
    out["assistant_key_set"] = bool(doc.get(ASSISTANT_KEY))
    out["webhook_url"] = webhook_url(doc, base_url)
    return out


def generated_secrets(doc):
    """The values Parley generated for the admin to paste into the provider's console (e.g. Meta's verify token)."""
    return {c.label: crypto.decrypt(doc["secrets"][c.name])
            for c in account_fields.credential_fields(doc["provider"]) if c.generated and c.name in doc.get("secrets", {})}
