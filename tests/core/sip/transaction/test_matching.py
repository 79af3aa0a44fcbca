"""Matching requests and responses to transactions (RFC 3261 s17.1.3, s17.2.3, s9.2; RFC 2543
fallback), merged requests (s8.2.2.2) and the table's timers."""

from __future__ import annotations

from typing import Any

import pytest

from siprouter.core.sip import SIPRequest
from siprouter.core.sip.transaction import (
    ClientTransaction,
    SendToTransport,
    ServerTransaction,
    State,
    TransactionError,
    TransactionTable,
    client_key,
    server_key,
)

from .helpers import FakeClock, ack_for, request, response, summary

OLD_BRANCH = "7c337f30d7ce.1"  # RFC 2543 style: no magic cookie


def server_in(table: TransactionTable, method: str = "INVITE", **kw: Any) -> ServerTransaction:
    req = request(method, **kw)
    tx = ServerTransaction(req, False, 0.0)
    table.add(tx)
    tx.receive_request(req, 0.0)
    return tx


# ---------------------------------------------------------------------- RFC 3261 keys

def test_server_key_is_branch_sent_by_and_method() -> None:
    assert server_key(request()) == ("3261", "z9hG4bKclient1", "client.example.com", "INVITE")
    assert server_key(request("ACK")) == server_key(request())
    assert server_key(request(branch=OLD_BRANCH)) is None


def test_a_retransmission_finds_its_server_transaction() -> None:
    table = TransactionTable()
    tx = server_in(table)
    assert table.find_server(request()) is tx


def test_another_branch_another_sent_by_or_another_method_is_a_new_transaction() -> None:
    table = TransactionTable()
    server_in(table)
    assert table.find_server(request(branch="z9hG4bKother")) is None
    assert table.find_server(request(sent_by="elsewhere.example.com")) is None
    assert table.find_server(request("CANCEL")) is None  # CANCEL is its own transaction


def test_an_ack_finds_the_invite_server_transaction() -> None:
    table = TransactionTable()
    tx = server_in(table)
    assert table.find_server(request("ACK")) is tx


def test_a_cancel_finds_the_invite_it_cancels() -> None:
    table = TransactionTable()
    invite_tx = server_in(table)
    cancel_tx = server_in(table, "CANCEL")
    assert table.find_server(request("CANCEL")) is cancel_tx
    assert table.find_cancelled(request("CANCEL")) is invite_tx
    assert table.find_cancelled(request("CANCEL", branch="z9hG4bKother")) is None


# ---------------------------------------------------------------------- RFC 2543 fallback

def test_rfc2543_invite_retransmission_matches_on_uri_tags_call_id_cseq_and_via() -> None:
    table = TransactionTable()
    tx = server_in(table, branch=OLD_BRANCH)
    assert table.find_server(request(branch=OLD_BRANCH)) is tx
    assert table.find_server(request(branch=OLD_BRANCH, cseq=2)) is None
    assert table.find_server(request(branch=OLD_BRANCH, ruri="sip:carol@example.com")) is None
    assert table.find_server(request(branch=OLD_BRANCH, from_tag="other")) is None
    assert table.find_server(request(branch=OLD_BRANCH, call_id="other@x")) is None
    assert table.find_server(request(branch=OLD_BRANCH, sent_by="relay.example.com")) is None
    assert table.find_server(request(branch=OLD_BRANCH, to_tag="t")) is None


def without_branch() -> SIPRequest:
    req = request()
    req.replace_header("via", "SIP/2.0/UDP old.example.com")
    parsed = req.apply_changes()
    assert isinstance(parsed, SIPRequest)
    return parsed


def test_rfc2543_without_any_branch_still_matches() -> None:
    table = TransactionTable()
    tx = ServerTransaction(without_branch(), False, 0.0)
    table.add(tx)
    assert table.find_server(without_branch()) is tx


def test_rfc2543_ack_matches_with_the_to_tag_of_our_final_response() -> None:
    table = TransactionTable()
    tx = server_in(table, branch=OLD_BRANCH)
    busy = response(tx.request, 486, to_tag="ours")
    tx.send_response(busy, 1.0)
    ack = ack_for(tx.request, busy)
    assert table.find_server(ack) is tx
    wrong = ack_for(tx.request, response(tx.request, 486, to_tag="theirs"))
    assert table.find_server(wrong) is None


def test_rfc2543_ack_before_any_final_response_does_not_match() -> None:
    table = TransactionTable()
    tx = server_in(table, branch=OLD_BRANCH)
    assert table.find_server(ack_for(tx.request, response(tx.request, 486))) is None


def test_rfc2543_non_invite_matches_its_own_method_only() -> None:
    table = TransactionTable()
    tx = server_in(table, "OPTIONS", branch=OLD_BRANCH)
    assert table.find_server(request("OPTIONS", branch=OLD_BRANCH)) is tx
    assert table.find_server(request("INFO", branch=OLD_BRANCH, cseq_method="OPTIONS")) is None


def test_rfc2543_cancel_finds_the_invite() -> None:
    table = TransactionTable()
    invite_tx = server_in(table, branch=OLD_BRANCH)
    assert table.find_cancelled(request("CANCEL", branch=OLD_BRANCH)) is invite_tx


# ---------------------------------------------------------------------- client side

def client_in(table: TransactionTable, method: str = "INVITE") -> ClientTransaction:
    tx = ClientTransaction(request(method), False, 0.0)
    table.add(tx)
    tx.send_request(0.0)
    return tx


def test_a_response_finds_its_client_transaction_by_branch_and_cseq_method() -> None:
    table = TransactionTable()
    invite_tx = client_in(table)
    cancel_tx = client_in(table, "CANCEL")
    assert client_key(invite_tx.request) == ("z9hG4bKclient1", "INVITE")
    assert table.find_client(response(invite_tx.request, 180)) is invite_tx
    assert table.find_client(response(cancel_tx.request, 200)) is cancel_tx


def test_a_response_with_an_unknown_branch_is_stray() -> None:
    table = TransactionTable()
    client_in(table)
    assert table.find_client(response(request(branch="z9hG4bKnope"), 200)) is None


def test_adding_the_same_key_twice_is_refused() -> None:
    table = TransactionTable()
    client_in(table)
    with pytest.raises(TransactionError):
        client_in(table)
    server_in(table)
    with pytest.raises(TransactionError):
        server_in(table)


# ---------------------------------------------------------------------- merged requests

def test_a_merged_request_is_a_482() -> None:
    table = TransactionTable()
    server_in(table)
    # The same request, forked upstream, arriving again by another path (another branch).
    error = table.check_merged(request(branch="z9hG4bKviaproxy2", sent_by="p2.example.com"))
    assert error is not None and (error.status, error.reason) == (482, "Loop Detected")


def test_a_retransmission_is_not_merged() -> None:
    table = TransactionTable()
    server_in(table)
    assert table.check_merged(request()) is None


def test_requests_in_a_dialog_ack_and_cancel_are_never_merged() -> None:
    table = TransactionTable()
    server_in(table)
    assert table.check_merged(request(branch="z9hG4bKx", to_tag="dlg")) is None
    assert table.check_merged(request("ACK", branch="z9hG4bKx", cseq_method="INVITE")) is None
    assert table.check_merged(request("CANCEL", branch="z9hG4bKx", cseq_method="INVITE")) is None


def test_another_cseq_or_from_tag_is_not_merged() -> None:
    table = TransactionTable()
    server_in(table)
    assert table.check_merged(request(branch="z9hG4bKx", cseq=314160)) is None
    assert table.check_merged(request(branch="z9hG4bKx", from_tag="other")) is None


def test_a_finished_transaction_no_longer_merges() -> None:
    table = TransactionTable()
    tx = server_in(table)
    tx.report_transport_error(0.0)
    assert table.check_merged(request(branch="z9hG4bKx")) is None


# ---------------------------------------------------------------------- the table's timers

def test_table_serves_the_earliest_deadline_of_all_its_transactions() -> None:
    table = TransactionTable()
    clock = FakeClock()
    invite = client_in(table)  # A at 0.5
    clock.advance(0.2)
    options = ClientTransaction(request("OPTIONS", branch="z9hG4bKopt"), False, clock.now)
    table.add(options)
    options.send_request(clock.now)  # E at 0.7
    assert table.get_timer() == 0.5
    fired = table.handle_timer(0.5)
    assert [(tx, summary(events)) for tx, events in fired] == [
        (invite, [("send", "INVITE sip:bob@biloxi.example.com SIP/2.0")]),
    ]
    assert table.get_timer() == pytest.approx(0.7)


def test_table_follows_deadlines_set_by_calls_made_on_the_transaction() -> None:
    table = TransactionTable()
    tx = server_in(table)
    assert table.get_timer() is None  # Proceeding: waiting for the TU
    tx.send_response(response(tx.request, 486), 1.0)
    assert table.get_timer() == 1.5  # timer G, learnt without the owner telling the table


def test_table_drops_a_transaction_when_it_terminates() -> None:
    table = TransactionTable()
    clock = FakeClock()
    tx = ClientTransaction(request("OPTIONS"), True, 0.0)
    table.add(tx)
    tx.send_request(0.0)
    assert len(table) == 1 and tx in table
    tx.receive_response(response(tx.request, 200), clock.advance(0.1))  # K = 0 over TCP
    assert tx.state is State.TERMINATED
    assert len(table) == 0 and table.find_client(response(tx.request, 200)) is None
    assert table.get_timer() is None


def test_table_expires_transactions_by_their_timers() -> None:
    table = TransactionTable()
    tx = server_in(table, "OPTIONS")
    tx.send_response(response(tx.request, 200), 1.0)  # timer J: 64*T1
    assert table.get_timer() == 33.0
    fired = table.handle_timer(33.0)
    assert [(t, summary(events)) for t, events in fired] == [(tx, [("terminated",)])]
    assert len(table) == 0 and table.find_server(request("OPTIONS")) is None


def test_removed_transactions_are_forgotten_with_their_timers() -> None:
    table = TransactionTable()
    tx = client_in(table)
    table.remove(tx)
    table.remove(tx)  # no-op
    assert table.find_client(response(tx.request, 200)) is None
    assert table.get_timer() is None and table.handle_timer(100.0) == []
    tx.handle_timer(0.5)  # the transaction itself no longer reports to the table
    assert table.get_timer() is None


def test_the_table_drops_a_transaction_its_last_timer_ends_and_keeps_the_others() -> None:
    from siprouter.core.sip.transaction import Terminated, TimerConfig

    clock = FakeClock()
    table = TransactionTable()
    timers = TimerConfig(wait=5.0)
    done = ServerTransaction(request("OPTIONS", branch="z9hG4bKdone"), False, clock.now,
                             timers=timers)
    table.add(done)
    done.receive_request(done.request, clock.now)
    done.send_response(response(done.request, 200), clock.now)  # Completed: timer J (5 s)
    ringing = ClientTransaction(request(branch="z9hG4bKring"), False, clock.now, timers=timers)
    table.add(ringing)
    ringing.send_request(clock.now)  # Calling: A and B
    fired = dict(table.handle_timer(clock.advance(5.0)))
    assert fired[done] == [Terminated()] and done not in table and done.terminated
    assert ringing in table and ringing.state is State.CALLING  # A fired (retransmissions)
    assert any(isinstance(e, SendToTransport) for e in fired[ringing])


def test_transactions_sharing_a_merge_key_each_stay_matched_and_merge_others() -> None:
    table = TransactionTable()
    first = server_in(table)
    second = ServerTransaction(request(branch="z9hG4bKviaproxy2", sent_by="p2.example.com"),
                               False, 0.0)
    table.add(second)  # added anyway (a TU that did not ask check_merged)
    second.receive_request(second.request, 0.0)
    assert table.check_merged(second.request) is None  # its own retransmission
    assert table.check_merged(first.request) is None
    third = request(branch="z9hG4bKviaproxy3", sent_by="p3.example.com")
    assert table.check_merged(third) is not None
    first.report_transport_error(0.0)  # gone: the second still merges the third
    assert table.check_merged(third) is not None
    second.report_transport_error(0.0)
    assert table.check_merged(third) is None
