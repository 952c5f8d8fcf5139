"""Accounts in the browser: API tokens get a name, and one-time set-password links.

A link's secret is handed out once (in the URL a registrar passes on); the table keeps only
its SHA-256, when it stops working (expires_at) and when it was used (used_at).
"""
from peewee import AutoField, CharField, DateTimeField, ForeignKeyField, Model


def _frozen_links(db):
    class BaseModel(Model):
        class Meta:
            database = db

    class User(BaseModel):
        id = AutoField()

        class Meta:
            table_name = "users"

    class SetPasswordLink(BaseModel):
        id = AutoField()
        token_hash = CharField(max_length=64, unique=True)
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)

        class Meta:
            table_name = "set_password_links"

    return SetPasswordLink


def up(migrator, db):
    migrator.migrate(migrator.add_column("api_tokens", "name",
                                         CharField(max_length=100, default="")))
    db.create_tables([_frozen_links(db)])


def down(migrator, db):
    db.drop_tables([_frozen_links(db)])
    migrator.migrate(migrator.drop_column("api_tokens", "name"))
