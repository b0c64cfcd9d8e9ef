"""rules/ is standard library only: importing every rule loads neither Flask nor SQLAlchemy."""

import subprocess
import sys
from pathlib import Path

import starrating.rules

RULES = sorted(
    p.stem for p in Path(starrating.rules.__file__).parent.glob("*.py") if p.stem != "__init__"
)


def test_every_rule_module_imports_without_flask_or_sqlalchemy():
    imports = "; ".join(f"import starrating.rules.{name}" for name in RULES)
    check = (
        f"{imports}; import sys; "
        "leaked = [m for m in ('flask', 'sqlalchemy', 'werkzeug') if m in sys.modules]; "
        "print(leaked); raise SystemExit(1 if leaked else 0)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert len(RULES) >= 5
