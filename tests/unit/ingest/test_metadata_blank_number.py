"""Drafts and crawled copies: a blank number stays blank; a header laid out as a table still
gives issuer and province."""

from __future__ import annotations

from ingest.pipeline import ingest_text

DRAFT = """ỦY BAN NHÂN DÂN
TỈNH LÂM ĐỒNG

Số:      /KH-UBND

CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc

Lâm Đồng, ngày      tháng 01 năm 2026

KẾ HOẠCH
Triển khai Nghị quyết số 76/NQ-CP ngày 10/3/2025 của Chính phủ

Thực hiện Nghị quyết số 76/NQ-CP ngày 10/3/2025 của Chính phủ, UBND tỉnh ban hành Kế hoạch:
1. Sở Y tế chủ trì triển khai tiêm chủng mở rộng cho trẻ em trên địa bàn tỉnh.
"""

PIPE_HEADER = """| ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc |
|---|---|
| Số: 15/KH-UBND | Lâm Đồng, ngày 05 tháng 01 năm 2026 |

KẾ HOẠCH
Triển khai công tác năm 2026

1. Sở Y tế chủ trì triển khai tiêm chủng mở rộng cho trẻ em trên địa bàn tỉnh.
"""


def test_a_blank_number_stays_blank() -> None:
    meta = ingest_text(DRAFT, "d", "d.txt").documents[0].meta
    assert (meta.number, meta.type, meta.issuer, meta.province) == (None, "Kế hoạch", "UBND tỉnh Lâm Đồng", "Lâm Đồng")
    assert meta.cites == ("76/NQ-CP",)


def test_a_header_laid_out_as_a_pipe_table() -> None:
    meta = ingest_text(PIPE_HEADER, "p", "p.md").documents[0].meta
    assert (meta.number, meta.date, meta.issuer, meta.province) == (
        "15/KH-UBND", "2026-01-05", "UBND tỉnh Lâm Đồng", "Lâm Đồng")
