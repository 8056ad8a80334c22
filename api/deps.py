"""FastAPI dependencies: the settings, the store, the caller."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status

from api.settings import ServiceSettings
from api.store import Account, Store


def get_settings(request: Request) -> ServiceSettings:
    settings: ServiceSettings = request.app.state.settings
    return settings


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def get_caller(
    store: Annotated[Store, Depends(get_store)],
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
) -> Account:
    """The account behind `Authorization: Bearer <token>`; 401 otherwise."""
    scheme, _, token = (authorization or "").partition(" ")
    account = store.account_for(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if account is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid 'Authorization: Bearer <token>' header is needed",
                            headers={"WWW-Authenticate": "Bearer"})
    return account


Settings = Annotated[ServiceSettings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
Caller = Annotated[Account, Depends(get_caller)]
