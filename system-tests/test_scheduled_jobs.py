"""Scheduled jobs across instances: two servers on one database, and the hourly
`loyalty.sync_wallet_passes` runs on exactly one of them in the current hour."""
import re
import time

JOB_LINE = re.compile(r"Job loyalty\.sync_wallet_passes \(\d{4}-\d{2}-\d{2}T\d{2}\): ")


def test_two_instances_run_the_hourly_job_once(loyalty, apple_wallet_env):
    assert loyalty.run("demo").returncode == 0
    first = loyalty.serve(apple_wallet_env)
    second = loyalty.serve(apple_wallet_env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not any(JOB_LINE.search(s.log()) for s in (first, second)):
        time.sleep(0.2)
    time.sleep(2)  # both have ticked at start-up by now; the loser must not have run it too
    runs = [len(JOB_LINE.findall(s.log())) for s in (first, second)]
    assert sorted(runs) == [0, 1], f"job runs per instance: {runs}"


def test_an_instance_can_stay_out_of_the_jobs(loyalty, apple_wallet_env):
    assert loyalty.run("demo").returncode == 0
    server = loyalty.serve({**apple_wallet_env, "LOYALTY_SCHEDULED_JOBS": "false"})
    time.sleep(2)
    assert not JOB_LINE.search(server.log())
    # By hand it still runs.
    result = loyalty.run("run-job", "loyalty.sync_wallet_passes", extra_env=apple_wallet_env)
    assert result.returncode == 0 and "loyalty.sync_wallet_passes: Apple Wallet: 0 pushed" in result.stdout, result.stdout
    unknown = loyalty.run("run-job", "loyalty.nothing")
    assert unknown.returncode != 0 and "loyalty.sync_wallet_passes" in unknown.stdout
