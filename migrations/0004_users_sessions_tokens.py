"""Staff accounts: users, server-side sign-in sessions, API tokens, failed sign-ins.

Secrets (session ids, API tokens) are stored only as SHA-256 hashes; passwords as argon2.
"""
import datetime

from peewee import (AutoField, BooleanField, CharField, DateTimeField, ForeignKeyField,
                    Model)


def _frozen_tables(db):
    class BaseModel(Model):
        class Meta:
            database = db

    class User(BaseModel):
        id = AutoField()
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=200)
        role = CharField(max_length=16)
        password_hash = CharField(max_length=255)
        active = BooleanField(default=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "users"

    class UserSession(BaseModel):
        token_hash = CharField(max_length=64, primary_key=True)
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        created_at = DateTimeField()
        expires_at = DateTimeField()

        class Meta:
            table_name = "user_sessions"

    class ApiToken(BaseModel):
        id = AutoField()
        token_hash = CharField(max_length=64, unique=True)
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)

        class Meta:
            table_name = "api_tokens"

    class LoginFailure(BaseModel):
        id = AutoField()
        email = CharField(max_length=254)
        address = CharField(max_length=64)
        at = DateTimeField()

        class Meta:
            table_name = "login_failures"
            indexes = ((("email", "at"), False), (("address", "at"), False))

    return [User, UserSession, ApiToken, LoginFailure]


def up(migrator, db):
    db.create_tables(_frozen_tables(db))


def down(migrator, db):
    db.drop_tables(_frozen_tables(db))
