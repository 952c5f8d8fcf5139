"""SQLite writers queue on a lock file instead of SQLite's sleep-and-retry busy handler."""
import subprocess
import sys
import threading

from webapp.db import WriterQueue, make_database

TRY_LOCK = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
            "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)")


def other_process_can_lock(path):
    return subprocess.run([sys.executable, "-c", TRY_LOCK, path],
                          capture_output=True).returncode == 0


def test_a_writer_holds_the_file_lock_against_other_processes_only_during_its_turn(tmp_path):
    queue = WriterQueue(str(tmp_path / "registrar.db"))
    with queue.turn():
        assert not other_process_can_lock(queue.path)
    assert other_process_can_lock(queue.path)


def test_threads_of_one_process_take_turns(tmp_path):
    queue = WriterQueue(str(tmp_path / "registrar.db"))
    inside, overlaps = [], []

    def write():
        for _ in range(200):
            with queue.turn():
                inside.append(1)
                overlaps.append(len(inside))
                inside.pop()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(overlaps) == 800 and max(overlaps) == 1


def test_every_sqlite_file_database_gets_a_queue_and_memory_none(tmp_path):
    assert make_database(f"sqlite:///{tmp_path / 'a.db'}").writers.path.endswith("a.db-writers.lock")
    assert make_database("sqlite:///:memory:").writers is None
