"""Concurrent updates of one record: many clients change the same version at once through
If-Match. Exactly one wins each round, the others are told the record changed (412, or 409
for a clash), nobody gets a 5xx or a "database is locked", and no update is lost.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fault_harness import (
    BACKENDS,
    LONG,
    ThreadServer,
    diagnosis_body,
    fresh_database,
    patient_body,
    record_figures,
    seed_site,
)

CLIENTS = 8
ROUNDS = 40 if LONG else 4
REFUSED = {409, 412}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _patient_change(round_number: int, client_number: int) -> dict[str, Any]:
    return {**patient_body("RACE-1"), "given_name": f"R{round_number}C{client_number}"}


def _record_change(round_number: int, client_number: int) -> dict[str, Any]:
    body = diagnosis_body()
    body["data"]["description"] = f"R{round_number}C{client_number}"
    return body


@pytest.mark.parametrize("target", ["patient", "record"])
def test_one_update_wins_per_version(backend: str, target: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        site = seed_site(url)
        with ThreadServer(url) as server:
            headers = site.headers(site.token_a)
            with httpx2.Client(base_url=server.base_url, headers=headers, timeout=30) as setup:
                patient = setup.post("/patients", json=patient_body("RACE-1")).json()["id"]
                path, change = f"/patients/{patient}", _patient_change
                if target == "record":
                    made = setup.post(f"/patients/{patient}/diagnoses", json=diagnosis_body())
                    path, change = (
                        f"/patients/{patient}/diagnoses/{made.json()['id']}",
                        (_record_change),
                    )
                wins = 0
                refused: Counter[int] = Counter()
                for round_number in range(ROUNDS):
                    version = int(setup.get(path).headers["ETag"].strip('"'))
                    answers = _race(
                        server.base_url,
                        headers,
                        path=path,
                        version=version,
                        round_number=round_number,
                        change=change,
                    )
                    statuses = [status for status, _ in answers]
                    assert [body for _, body in answers if "locked" in body.lower()] == []
                    assert all(status < 500 for status in statuses), answers
                    assert statuses.count(200) == 1, statuses
                    assert set(statuses) - {200} <= REFUSED, statuses
                    wins += 1
                    refused.update(status for status in statuses if status != 200)
                    winner = next(body for status, body in answers if status == 200)
                    final = setup.get(path)
                    # The winner's change is what is stored: nothing overwrote it unseen.
                    assert final.text == winner
                    assert final.headers["ETag"] == f'"{version + 1}"'
                assert int(setup.get(path).headers["ETag"].strip('"')) == 1 + wins
    record_figures(
        f"if-match[{backend},{target}]",
        rounds=ROUNDS,
        clients=CLIENTS,
        wins=wins,
        refused={str(status): count for status, count in sorted(refused.items())},
    )


def _race(
    base_url: str,
    headers: dict[str, str],
    *,
    path: str,
    version: int,
    round_number: int,
    change: Callable[[int, int], dict[str, Any]],
) -> list[tuple[int, str]]:
    """Every client sends its change of ``version`` at once; their answers."""
    start = threading.Barrier(CLIENTS)
    answers: list[tuple[int, str]] = [(0, "")] * CLIENTS

    def send(number: int) -> None:
        with httpx2.Client(base_url=base_url, headers=headers, timeout=30) as client:
            body = change(round_number, number)
            start.wait(timeout=30)
            answer = client.put(path, json=body, headers={"If-Match": f'"{version}"'})
            answers[number] = (answer.status_code, answer.text)

    threads = [threading.Thread(target=send, args=(number,)) for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers
