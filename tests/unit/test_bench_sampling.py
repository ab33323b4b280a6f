"""``samvad bench sampling`` at a tiny N: the JSON's shape, the counts and the read target.

Two offices per department (70 strata) and k = 160 keep the default plan's quota per stratum
(650 over 280 strata, ~2.3), the figure reads per sampled visit depend on, in ~20 s.
"""

from __future__ import annotations

import json

import pytest

from samvad_dev.bench.sampling import TARGET_READS_PER_SAMPLED, run

SIZES = (2_000, 6_000)
K = 160
OFFICES = 2


@pytest.fixture(scope="module")
def result() -> dict:
    return run(list(SIZES), k=K, offices=OFFICES)


def test_one_result_per_n_and_nothing_infeasible(result):
    json.dumps(result)  # printable as is
    assert result["benchmark"] == "sampling"
    assert set(result["results"]) == {str(n) for n in SIZES}
    assert result["largest_n_achieved"] == max(SIZES)
    assert result["infeasible"] == {}
    assert result["setup"]["k_planned"] == K
    assert result["setup"]["offices"] == 8 * OFFICES
    assert 60 <= result["setup"]["strata"] <= 80  # ~35 services per office
    assert set(result["targets"]) >= {"reads_per_sampled_spread"}


@pytest.mark.parametrize("n", SIZES)
def test_each_n_samples_k_and_counts_reads_two_ways(result, n):
    measured = result["results"][str(n)]
    assert measured["visits"] == n
    sampler = measured["sampler"]
    assert sampler["k_planned"] == sampler["sampled"] == K  # the same k for every N
    assert sampler["hook_agrees_with_sampler"]  # botocore hook == the use case's own count
    assert sampler["items_read"] == sampler["index_items_read"] + sampler["contact_items_read"]
    assert sampler["reads_per_sampled"] == round(sampler["items_read"] / K, 3)
    assert sampler["strata_items_read"] > 0
    assert sampler["contacts_looked_up"] >= sampler["contact_items_read"]
    assert sampler["seconds"] > 0
    load = measured["load"]
    assert load["batch_write_item"]["items"] + load["direct_into_moto"]["items"] == n
    assert load["direct_into_moto"]["identical_to_api_loaded"]
    assert measured["emulator_query_check"]["identical"]  # the partition map changes nothing


@pytest.mark.parametrize("n", SIZES)
def test_naive_scan_reads_every_visit(result, n):
    naive = result["results"][str(n)]["naive"]
    assert naive["measured"] is True
    assert naive["items_read"] == n
    assert naive["sampled"] == K
    assert naive["reads_per_sampled"] == round(n / K, 1)


@pytest.mark.parametrize("n", SIZES)
def test_reads_per_sampled_visit_meet_the_target(result, n):
    assert result["results"][str(n)]["sampler"]["reads_per_sampled"] <= TARGET_READS_PER_SAMPLED
