"""Configuration of the HTTP API, from environment variables (the twelve-factor habit).

    CHIDAO_INDEX            index folder (required; `chidao serve --index` sets it)
    CHIDAO_API_KEY          key for writes (upload, delete); unset = writes are refused
    CHIDAO_PROTECT_READS    1 = reads need the key too (default 0: reads are open)
    CHIDAO_CORS_ORIGINS     comma-separated origins allowed by CORS (default: none)
    CHIDAO_UPLOAD_DIR       where uploaded files are kept, by content hash (default INDEX/../uploads)
    CHIDAO_MAX_FILES        files per upload (default 20)
    CHIDAO_MAX_FILE_MB      size of one file (default 20)
    CHIDAO_MAX_UPLOAD_MB    size of one upload, all files together (default 100)
    CHIDAO_WARM_UP          0 = do not load the model at start-up (default 1: the first query is fast)
    CHIDAO_RATE_LIMIT       requests per minute per client (valid API key, else address); 0 = no limit (default 0)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_files: int = 20
    max_file_bytes: int = 20 * MB
    max_total_bytes: int = 100 * MB


@dataclass(frozen=True)
class Settings:
    index: Path
    api_key: str | None = None
    protect_reads: bool = False
    cors_origins: tuple[str, ...] = ()
    upload_dir: Path | None = None
    limits: UploadLimits = UploadLimits()
    warm_up: bool = True
    rate_limit: float = 0.0  # requests per minute per client; 0 = off

    @property
    def uploads(self) -> Path:
        return self.upload_dir or self.index.parent / (self.index.name + "-uploads")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        e = os.environ if env is None else env
        index = overrides.pop("index", None) or e.get("CHIDAO_INDEX")
        if not index:
            raise ValueError("no index folder: pass --index DIR or set CHIDAO_INDEX")
        origins = tuple(o.strip() for o in e.get("CHIDAO_CORS_ORIGINS", "").split(",") if o.strip())
        limits = UploadLimits(
            max_files=int(e.get("CHIDAO_MAX_FILES", UploadLimits.max_files)),
            max_file_bytes=int(float(e.get("CHIDAO_MAX_FILE_MB", UploadLimits.max_file_bytes / MB)) * MB),
            max_total_bytes=int(float(e.get("CHIDAO_MAX_UPLOAD_MB", UploadLimits.max_total_bytes / MB)) * MB),
        )
        values: dict[str, object] = {
            "index": Path(str(index)),
            "api_key": e.get("CHIDAO_API_KEY") or None,
            "protect_reads": e.get("CHIDAO_PROTECT_READS", "0").lower() in ("1", "true", "yes"),
            "cors_origins": origins,
            "upload_dir": Path(e["CHIDAO_UPLOAD_DIR"]) if e.get("CHIDAO_UPLOAD_DIR") else None,
            "limits": limits,
            "warm_up": e.get("CHIDAO_WARM_UP", "1").lower() not in ("0", "false", "no"),
            "rate_limit": float(e.get("CHIDAO_RATE_LIMIT", "0") or 0),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
