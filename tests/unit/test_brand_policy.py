"""The brand persona and policy file: the shipped Lumen & Co. default, a brand's own copy, and a
broken file reported clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from socialcare.generate.brand import DEFAULT_POLICY, BrandPolicyError, load_brand_policy


def test_the_default_policy_is_lumen_and_co_in_english_and_chinese() -> None:
    brand = load_brand_policy()
    assert brand.name == "Lumen & Co."
    assert set(brand.tone) == {"en", "zh"}
    assert brand.may_not and brand.escalate_when
    assert any(p.search("I have approved your refund") for p in brand.forbidden)
    assert any(p.search("我们会赔偿您") for p in brand.forbidden)


def test_a_brand_can_ship_its_own_policy(tmp_path: Path) -> None:
    """GIVEN a copy of the policy with another name, a shorter limit and one more forbidden
    phrase WHEN loaded THEN all three apply."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    text = text.replace('name = "Lumen & Co."', 'name = "Acme"').replace("= 600", "= 300")
    text = text.replace("forbidden_zh = [", "forbidden_zh = [\n  '包邮到家',")
    custom = tmp_path / "acme.toml"
    custom.write_text(text, encoding="utf-8")

    brand = load_brand_policy(custom)
    assert (brand.name, brand.max_reply_chars) == ("Acme", 300)
    assert any(p.search("全部包邮到家") for p in brand.forbidden)


@pytest.mark.parametrize(
    "content",
    ["not toml = [", "[brand]\nname = 'x'\n", DEFAULT_POLICY.read_text().replace("(i|we)", "(")],
)
def test_a_broken_policy_file_is_refused_with_its_name(tmp_path: Path, content: str) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(content, encoding="utf-8")
    with pytest.raises(BrandPolicyError, match=r"broken\.toml"):
        load_brand_policy(broken)
