"""textops: regex search/replace over the message, header lines, body, tests."""

from __future__ import annotations

from siprouter.core.runtime.sip_pvs import marks
from tests.core.runtime.sip.helpers import BODY, INVITE, REPLY, run, sip_state, with_headers


def out(body: str, data: bytes = INVITE) -> bytes:
    return run(body, data).msg.serialize()


def test_search_matches_case_insensitively_anywhere() -> None:
    r = run('if (search("^user-agent: soft")) { $var(a) = 1; } '
            'if (!search("nothing-like-this")) { $var(b) = 1; }')
    assert r.vars == {"a": 1, "b": 1}


def test_search_body_looks_only_at_the_body() -> None:
    r = run('if (search_body("c=IN IP4")) { $var(a) = 1; } '
            'if (!search_body("Call-ID")) { $var(b) = 1; }')
    assert r.vars == {"a": 1, "b": 1}


def test_replace_changes_the_first_match_in_a_header() -> None:
    assert b"\r\nUser-Agent: hardphone/1.0\r\n" in out('replace("softphone", "hardphone");')


def test_replace_all_changes_every_match() -> None:
    data = out('replace_all("example\\.com", "example.org");')
    assert b"example.com" not in data
    assert data.startswith(b"INVITE sip:bob@biloxi.example.org:5070;transport=tcp SIP/2.0\r\n")
    assert b'From: "Alice" <sip:alice@atlanta.example.org>;tag=1928301774\r\n' in data


def test_replace_in_the_body_updates_content_length() -> None:
    data = out('replace_body("192\\.0\\.2\\.1", "203.0.113.77");')
    body = BODY.replace(b"192.0.2.1", b"203.0.113.77", 1)
    assert data.endswith(b"\r\n\r\n" + body)
    assert f"Content-Length: {len(body)}\r\n".encode() in data


def test_replace_whole_header_line_with_its_crlf_removes_it() -> None:
    data = out('replace("User-Agent: [^\\r\\n]*\\r\\n", "");')
    assert b"User-Agent" not in data
    assert data == INVITE.replace(b"User-Agent: softphone/1.0\r\n", b"")


def test_search_append_inserts_after_the_match() -> None:
    assert b"\r\nUser-Agent: softphone/1.0 (via proxy)\r\n" in out(
        'search_append("softphone/1\\.0", " (via proxy)");')


def test_replace_with_no_match_is_false_and_changes_nothing() -> None:
    r = run('if (!replace("zzz", "y")) { $var(r) = 1; }')
    assert r.vars["r"] == 1 and r.msg.serialize() == INVITE


def test_parsed_views_keep_the_received_values_after_replace() -> None:
    assert run('replace("softphone", "x"); $var(u) = $ua;').vars["u"] == "softphone/1.0"


def test_subst_with_groups_and_global_flag() -> None:
    data = out("subst('/(alice|bob)@/\\1.x@/ig');")
    assert b"sip:bob.x@biloxi.example.com:5070" in data
    assert b"<sip:alice.x@atlanta.example.com>" in data


def test_subst_repl_may_contain_pvs() -> None:
    assert b"\r\nUser-Agent: seen-from-198.51.100.7\r\n" in out(
        "subst('/^User-Agent: [^\\r]*/User-Agent: seen-from-$si/s');")


def test_subst_uri_rewrites_the_request_uri() -> None:
    r = run("subst_uri('/^sip:bob@biloxi\\.example\\.com(.*)$/sip:carol@c.example\\1/'); "
            "$var(u) = $ru;")
    assert r.vars["u"] == "sip:carol@c.example:5070;transport=tcp"


def test_subst_user_rewrites_the_user_part() -> None:
    assert run("subst_user('/^b(.*)$/+49\\1/'); $var(u) = $rU;").vars["u"] == "+49ob"


def test_subst_hf_changes_header_values() -> None:
    assert b"\r\nUser-Agent: softphone/2.0\r\n" in out(
        "subst_hf('User-Agent', '/1\\.0/2.0/', 'a');")


def test_append_hf_adds_a_line_after_the_last_header() -> None:
    data = out('append_hf("X-Src: $si\\r\\n");')
    head = data.partition(b"\r\n\r\n")[0]
    assert head.endswith(b"\r\nX-Src: 198.51.100.7")


def test_append_hf_after_a_named_header() -> None:
    data = out('append_hf("X-After: 1\\r\\n", "Call-ID");')
    assert b"\r\nCall-ID: a84b4c76e66710@pc33.atlanta.example.com\r\nX-After: 1\r\n" in data


def test_insert_hf_before_the_first_header_and_before_a_named_one() -> None:
    data = out('insert_hf("X-First: 1\\r\\n"); insert_hf("X-Before-To: 2\\r\\n", "To");')
    assert data.startswith(INVITE.split(b"\r\n")[0] + b"\r\nX-First: 1\r\nVia:")
    assert b"\r\nX-Before-To: 2\r\nTo: Bob" in data


def test_append_hf_without_a_header_line_is_false() -> None:
    assert run('if (!append_hf("no colon here")) { $var(r) = 1; }').vars["r"] == 1


def test_remove_hf_removes_every_line_of_the_header() -> None:
    data = with_headers([b"X-A: 1", b"x-a: 2"])
    r = run('if (remove_hf("X-A")) { $var(r) = 1; } if (!remove_hf("X-None")) { $var(s) = 1; }',
            data)
    assert r.vars == {"r": 1, "s": 1}
    assert r.msg.serialize() == INVITE


def test_remove_hf_knows_compact_forms() -> None:
    data = with_headers([b"s: hello"])
    assert run('remove_hf("Subject");', data).msg.serialize() == INVITE


def test_remove_hf_idx_and_remove_hf_re() -> None:
    data = with_headers([b"X-A: 1", b"X-A: 2", b"X-B: 3"])
    assert out('remove_hf_idx("X-A", -1); remove_hf_re("^X-B");', data) == with_headers(
        [b"X-A: 1"])


def test_is_present_hf_and_is_present_hf_re() -> None:
    r = run('if (is_present_hf("user-agent")) { $var(a) = 1; } '
            'if (is_present_hf_re("^content-")) { $var(b) = 1; } '
            'if (!is_present_hf("Subject")) { $var(c) = 1; }')
    assert r.vars == {"a": 1, "b": 1, "c": 1}


def test_is_method_takes_a_list_and_ignores_case() -> None:
    r = run('if (is_method("REGISTER|invite")) { $var(a) = 1; } '
            'if (!is_method("BYE")) { $var(b) = 1; }')
    assert r.vars == {"a": 1, "b": 1}


def test_is_method_on_a_reply_uses_the_cseq_method() -> None:
    assert run('if (is_method("INVITE")) { $var(a) = 1; }', REPLY).vars["a"] == 1


def test_has_body_with_and_without_mime() -> None:
    r = run('if (has_body()) { $var(a) = 1; } if (has_body("application/sdp")) { $var(b) = 1; }'
            ' if (!has_body("text/plain")) { $var(c) = 1; }')
    assert r.vars == {"a": 1, "b": 1, "c": 1}
    assert run('if (!has_body()) { $var(a) = 1; }', REPLY).vars["a"] == 1


def test_is_privacy_reads_the_privacy_values() -> None:
    data = with_headers([b"Privacy: id;header"])
    r = run('if (is_privacy("id")) { $var(a) = 1; } if (!is_privacy("user")) { $var(b) = 1; }',
            data)
    assert r.vars == {"a": 1, "b": 1}


def test_append_to_reply_and_append_time_queue_reply_headers() -> None:
    sip = sip_state()
    run('append_to_reply("Contact: <sip:$rU@backup.example>\\r\\n"); append_time();', sip=sip)
    lines = marks(sip).reply_headers
    assert lines[0] == "Contact: <sip:bob@backup.example>"
    assert lines[1].startswith("Date: ") and lines[1].endswith(" GMT")


def test_set_body_replaces_body_and_its_headers() -> None:
    data = out('set_body("hello", "text/plain");')
    assert data.endswith(b"\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello")


def test_bad_regex_is_false_with_one_log_line(caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("ERROR", logger="siprouter.script")
    assert run('if (!search("(unclosed")) { $var(r) = 1; }').vars["r"] == 1
    assert len([r for r in caplog.records if "search" in r.getMessage()]) == 1


def test_string_helpers() -> None:
    r = run('if (in_list("b", "a, b ,c", ",")) { $var(a) = 1; } '
            'if (cmp_istr("ABC", "abc")) { $var(b) = 1; } '
            'if (starts_with("$rU", "bo")) { $var(c) = 1; } '
            'str_find("hello", "ll"); $var(d) = $rc;')
    assert r.vars == {"a": 1, "b": 1, "c": 1, "d": 3}


def test_is_method_with_a_variable_list() -> None:
    r = run('$var(m) = "bye|Invite"; if (is_method($var(m))) { $var(a) = 1; } '
            '$var(m) = "BYE"; if (!is_method($var(m))) { $var(b) = 1; }')
    assert r.vars == {"m": "BYE", "a": 1, "b": 1}


def test_is_method_matches_an_extension_method_in_any_case() -> None:
    data = INVITE.replace(b"INVITE sip:", b"Foo sip:", 1).replace(b" INVITE\r\n", b" Foo\r\n")
    r = run('if (is_method("FOO")) { $var(a) = 1; } if (is_method("fOO|BAR")) { $var(b) = 1; }'
            ' if (!is_method("INVITE")) { $var(c) = 1; } $var(rc) = $rc;', data)
    assert r.vars == {"a": 1, "b": 1, "c": 1, "rc": -1}
