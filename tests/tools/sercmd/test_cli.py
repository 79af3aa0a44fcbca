"""One-shot sercmd: one call, its output and an exit status for scripts (a real process, with
stdout a pipe, so the kamcmd plain layout is the default)."""

from __future__ import annotations

import json
import socket

import pytest

from .conftest import RPCServer, run_sercmd


def test_scalar_result_and_exit_0(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "core.version", env=sercmd_env)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout.startswith("siprouter ") and r.stdout.count("\n") == 1


def test_arguments_are_typed_like_kamcmd(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "--json", "core.echo", "a", "1", "s:2", "2.5", "-3",
                   env=sercmd_env)
    assert json.loads(r.stdout) == ["a", 1, "2", 2.5, -3]


def test_struct_in_plain_layout(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.udp, "core.uptime", env=sercmd_env)
    lines = r.stdout.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert [line.split(":")[0] for line in lines[1:-1]] == ["\tnow", "\tup_since", "\tuptime"]


def test_json_output(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.xmlrpc, "--json", "core.uptime", env=sercmd_env)
    assert r.returncode == 0
    assert set(json.loads(r.stdout)) == {"now", "up_since", "uptime"}


def test_format_option(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "-f", "%v=%v\\n", "core.echo", "a", "1", "b", "2",
                   env=sercmd_env)
    assert r.stdout == "a=1\nb=2\n"


def test_ps_alias_prints_pid_tab_description(rpc_server: RPCServer,
                                             sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "ps", env=sercmd_env)
    pid, description = r.stdout.rstrip("\n").split("\n")[0].split("\t")
    assert int(pid) == rpc_server.proc.pid and description


def test_aliases_ls_and_ver(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    ls = run_sercmd("-s", rpc_server.http, "ls", env=sercmd_env)
    assert "core.version" in ls.stdout.split("\n")
    ver = run_sercmd("-s", rpc_server.http, "ver", env=sercmd_env)
    assert ver.stdout.startswith("siprouter ")


def test_help_method_prints_the_servers_help(rpc_server: RPCServer,
                                             sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "help", "cfg.get", env=sercmd_env)
    assert r.stdout == "Get the value of a configuration variable.\n"


def test_help_alone_lists_builtins_and_aliases(rpc_server: RPCServer,
                                               sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "help", env=sercmd_env)
    assert "alias for core.ps" in r.stdout and "connect" in r.stdout


def test_fault_is_one_line_on_stderr_exit_1(rpc_server: RPCServer,
                                            sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "core.kill", "bad", env=sercmd_env)
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "error: 400 - bad signal bad\n")


def test_unknown_method_exit_1(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.udp, "no.such", env=sercmd_env)
    assert r.returncode == 1
    assert r.stderr == "error: -32601 - Method not found: no.such\n"


def test_fault_with_json_is_the_error_object_on_stdout(rpc_server: RPCServer,
                                                       sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "--json", "core.kill", "bad", env=sercmd_env)
    assert r.returncode == 1
    assert json.loads(r.stdout) == {"error": {"code": 400, "message": "bad signal bad"}}


def test_no_server_is_one_line_exit_3(sercmd_env: dict[str, str]) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = run_sercmd("-s", f"127.0.0.1:{port}", "core.version", env=sercmd_env)
    assert (r.returncode, r.stdout) == (3, "")
    assert r.stderr == f"error: cannot reach http://127.0.0.1:{port}/RPC: Connection refused\n"


def test_default_address_comes_from_sercmd_url(rpc_server: RPCServer,
                                               sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("core.echo", "x", env={**sercmd_env, "SERCMD_URL": rpc_server.unix_stream})
    assert r.stdout == "x\n"


def test_token_from_option_or_environment(guarded_server: RPCServer,
                                          sercmd_env: dict[str, str]) -> None:
    denied = run_sercmd("-s", guarded_server.http, "core.echo", "1", env=sercmd_env)
    assert denied.returncode == 3 and "--token" in denied.stderr
    assert run_sercmd("-s", guarded_server.http, "--token", "s3cret", "core.echo", "1",
                      env=sercmd_env).stdout == "1\n"
    assert run_sercmd("-s", guarded_server.http, "core.echo", "1",
                      env={**sercmd_env, "SERCMD_TOKEN": "s3cret"}).stdout == "1\n"


@pytest.mark.parametrize("args, message", [
    (["-s", "tcp:localhost:2049", "core.version"], "unsupported address"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["-t", "0", "-s", "udp:127.0.0.1:9", "core.version"], "--timeout"),
    (["--json", "--plain", "core.version"], "not allowed with"),
])
def test_usage_errors_are_one_line_exit_2(args: list[str], message: str,
                                          sercmd_env: dict[str, str]) -> None:
    r = run_sercmd(*args, env=sercmd_env)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and message in r.stderr


def test_shell_builtins_refuse_one_shot(rpc_server: RPCServer, sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, "connect", "x", env=sercmd_env)
    assert r.returncode == 2 and "interactive shell only" in r.stderr


def test_commands_from_a_pipe_run_line_by_line(rpc_server: RPCServer,
                                               sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-s", rpc_server.http, env=sercmd_env,
                   stdin="core.echo 1\n\ncore.kill bad\ncore.echo \"a b\"\n")
    assert r.stdout == "1\na b\n"
    assert r.stderr == "error: 400 - bad signal bad\n"
    assert r.returncode == 1


def test_version_option(sercmd_env: dict[str, str]) -> None:
    r = run_sercmd("-V", env=sercmd_env)
    assert r.returncode == 0 and r.stdout.startswith("sercmd ")


def test_no_traceback_when_output_is_closed_early(rpc_server: RPCServer,
                                                  sercmd_env: dict[str, str]) -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m siprouter.tools.sercmd -s {rpc_server.http} ls | head -n 1",
        shell=True, capture_output=True, text=True, env=sercmd_env, timeout=30)
    assert "Traceback" not in proc.stderr and proc.stdout.count("\n") == 1
