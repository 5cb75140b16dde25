"""/docs: the OpenAPI description rendered on the server (no CDN, no script), beside /openapi.json."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(include_in_schema=False)


def endpoints(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per (method, path) of an OpenAPI document."""
    rows = []
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "type": _type(p.get("schema", {}))} for p in op.get("parameters", [])]
            rows.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                         "description": op.get("description", ""),
                         "params": params})
    return rows


def _type(schema: dict[str, Any]) -> str:
    """'string', or 'string | null' style for optional parameters, with a pattern when there is one."""
    options = schema.get("anyOf") or [schema]
    names = " | ".join(o.get("type", "") for o in options if o.get("type") not in (None, "null"))
    pattern = next((o["pattern"] for o in options if o.get("pattern")), None)
    return f"{names} {pattern}" if pattern else names


@router.get("/docs")
async def docs_page(request: Request):
    spec = request.app.openapi()
    return request.app.state.templates.TemplateResponse(
        request, "docs.html", {"endpoints": endpoints(spec), "info": spec.get("info", {})})
