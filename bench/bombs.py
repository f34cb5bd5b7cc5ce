"""What each hostile file costs now: wall time and peak memory (RSS) of the code that receives it.

Each case runs in a fresh process (`python bench/bombs.py`), so one peak does not hide another; the
baseline is the same process with Django loaded, before the file arrives. Not part of `make test`.
"""

import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

CASES = ["png-bomb", "jpeg-40mpx", "png-40mpx", "png-12mpx", "xlsx-bomb", "xlsx-200k-rows"]


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(case):
    from PIL import Image

    from tests.test_robust_input import _rewrite, png_bomb, xlsx_bomb

    if case == "png-bomb":
        return png_bomb()
    if case in ("jpeg-40mpx", "png-40mpx", "png-12mpx"):
        buffer = io.BytesIO()
        # The largest accepted sizes; a gradient keeps the file under the 15 MB upload cap.
        size = (4240, 2828) if case == "png-12mpx" else (7740, 5160)
        image = Image.radial_gradient("L").resize(size).convert("RGB")
        image.save(buffer, "JPEG" if case.startswith("jpeg") else "PNG", quality=90)
        return buffer.getvalue()
    if case == "xlsx-bomb":
        return xlsx_bomb(megabytes=400).getvalue()
    from tests import ledger_book

    book = ledger_book.build([ledger_book.listing()])
    return _rewrite(
        book,
        lambda name, data: re.sub(
            rb'<dimension ref="A1:([A-Z]+)2"', rb'<dimension ref="A1:\g<1>200001"', data
        ),
    ).getvalue()


def run(case, path):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newzone.settings")
    django.setup()
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from projects import xlsx_guard
    from projects.ledger import MAX_ROWS, ledger_read
    from projects.ledger.reading import _open_workbook, find_layouts
    from projects.photos import photo_check, photo_process

    with open(path, "rb") as handle:
        content = handle.read()
    base = peak_mb()
    start = time.perf_counter()
    if case.startswith(("png", "jpeg")):
        upload = SimpleUploadedFile("x", content)
        try:
            photo_check(upload)
            outcome = f"accepted, stored as {len(photo_process(upload)[0]) // 1024} KB JPEG"
        except ValidationError as error:
            outcome = f"refused: {error.messages[0]}"
    elif case == "xlsx-bomb":
        plan = ledger_read(io.BytesIO(content))
        outcome = f"refused: {plan.problems[0].message}" if plan.problems else "read"
    else:  # what ledger_read does before the first row (the rest needs a database)
        workbook = _open_workbook(io.BytesIO(content))
        layout = find_layouts(workbook, {})["listings"]
        outcome = f"refused: {xlsx_guard.too_many_rows(layout.sheet, layout.header_row, MAX_ROWS)}"
    elapsed = time.perf_counter() - start
    print(
        f"{case:15} {len(content) / 1024:8.0f} KB  {elapsed * 1000:7.0f} ms  "
        f"peak +{peak_mb() - base:6.0f} MB (base {base:.0f} MB)  {outcome}"
    )


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newzone.settings")
        django.setup()
        sys.stdout.buffer.write(build(sys.argv[2]))
    elif len(sys.argv) == 3:
        run(sys.argv[1], sys.argv[2])
    else:
        env = {**os.environ, "DEBUG": "1", "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only")}
        with tempfile.TemporaryDirectory() as folder:
            for case in CASES:
                path = os.path.join(folder, case)
                with open(path, "wb") as handle:  # built in its own process: not in the baseline
                    subprocess.run(
                        [sys.executable, __file__, "build", case], env=env, check=True, stdout=handle
                    )
                subprocess.run([sys.executable, __file__, case, path], env=env, check=True)
