from app.db import get_db
from app.services.demo import DEMO_PASSWORD


def test_create_user_makes_a_user_that_can_sign_in(runner, client):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Boss@Parley.example",
            "--password",
            "s3cure-enough!",
            "--role",
            "admin",
            "--name",
            "Boss",
        ]
    )
    assert result.exit_code == 0, result.output
    user = get_db().users.find_one({"email": "boss@parley.example"})
    assert user["role"] == "admin" and user["name"] == "Boss"


def test_create_user_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-user", "--email", "a@parley.example", "--password", "password", "--name", "A"])
    assert result.exit_code != 0
    assert "password" in result.output.lower() and "at least 10" in result.output
    assert get_db().users.count_documents({}) == 0


def test_create_user_refuses_a_duplicate(runner):
    args = ["create-user", "--email", "dup@parley.example", "--password", "s3cure-enough!", "--name", "Dup"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "already exists" in result.output


def test_create_user_refuses_a_bad_email_and_role(runner):
    assert (
        "Invalid email"
        in runner.invoke(args=["create-user", "--email", "nope", "--password", "s3cure-enough!", "--name", "X"]).output
    )
    assert (
        runner.invoke(
            args=["create-user", "--email", "x@parley.example", "--password", "s3cure-enough!", "--name", "X", "--role", "root"]
        ).exit_code
        != 0
    )


def test_init_db_creates_indexes_idempotently(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == second.exit_code == 0
    assert "indexes in place" in second.output
    assert "email_1" in get_db().users.index_information()


def test_seed_demo_is_idempotent_and_prints_the_logins(runner):
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    assert "admin@parley.example" in second.output and DEMO_PASSWORD in second.output
    db = get_db()
    assert db.users.count_documents({}) == 3
    assert db.users.count_documents({"role": "agent"}) == 2
    assert db.queues.count_documents({}) == 1
    account = db.accounts.find_one({})
    assert db.accounts.count_documents({}) == 1 and account["provider"] == "sandbox"
    assert len(db.queues.find_one({})["agent_ids"]) == 2
    assert "webhook_secret" in account["secrets"]
    assert db.templates.count_documents({"account_id": account["_id"]}) == 2  # once, however often seeded
    recontact = db.templates.find_one({"_id": account["settings"]["recontact_template_id"]})
    assert recontact["recontact"] and db.canned_answers.count_documents({}) == 1
    assert db.dispositions.count_documents({}) == 3 and db.tags.count_documents({}) == 3


def test_seed_demo_refuses_production(runner, app):
    app.config["PARLEY_CONFIG_NAME"] = "production"
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "never created in production" in result.output
    assert get_db().users.count_documents({}) == 0
