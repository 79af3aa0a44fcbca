"""Kamailio's global (core) parameters, 3.1 through 5.x, for the unknown-parameter check.

Names only: values are read by the server from the AST. Aliases are listed as Kamailio spells
them. Custom cfg-framework variables (`group.var = value`) are never "unknown".
"""

from __future__ import annotations

CORE_PARAMS: frozenset[str] = frozenset(
    """
    advertised_address advertised_port alias async_workers async_nonblock async_usleep
    async_workers_group auto_aliases auto_bind_ipv6 bind_ipv6_link_local check_via children
    chroot corelog debug description dns dns_cache_del_nonexp dns_cache_delete_nonexpired
    dns_cache_flags dns_cache_gc_interval dns_cache_init dns_cache_max_ttl dns_cache_mem
    dns_cache_min_ttl dns_cache_negative_ttl dns_cache_rec_pref dns_naptr_ignore_rfc dns_retr_no
    dns_retr_time dns_search_full_match dns_servers_no dns_srv_lb dns_srv_loadbalancing
    dns_try_ipv6 dns_try_naptr dns_tls_pref dns_tcp_pref dns_udp_pref dns_sctp_pref
    dns_use_cache dns_use_failover dns_use_search_list dst_blacklist_expire
    dst_blacklist_gc_interval dst_blacklist_init dst_blacklist_mem dst_blacklist_tcp_imask
    dst_blacklist_tls_imask dst_blacklist_udp_imask dst_blacklist_sctp_imask
    dst_blocklist_expire dst_blocklist_gc_interval dst_blocklist_init dst_blocklist_mem
    dst_blocklist_tcp_imask dst_blocklist_tls_imask dst_blocklist_udp_imask
    dst_blocklist_sctp_imask enable_sctp enable_tls event_route_callback exit_timeout ser_kill_timeout
    fork fork_delay force_rport flags group gid http_reply_hack http_reply_parse ip_free_bind
    ipv6_hex_style kemi.onsend_route_callback kemi.received_route_callback
    kemi.reply_route_callback kemi.pre_routing_callback latency_cfg_log latency_limit_action
    latency_limit_db latency_log listen loadmodule log_engine_data log_engine_type
    log_facility log_name log_prefix log_prefix_mode log_stderror log_color maxbuffer
    max_branches max_recursive_level max_while_loops mcast mcast_loopback mcast_ttl memdbg
    memlog mem_join mem_safety mem_summary mem_status_mode mhomed mlock_pages modinit_delay
    onsend_route_reply open_files_limit phone2tel pmtu_discovery port pv_buffer_size
    pv_buffer_slots pv_cache_limit pv_cache_action rcvbuf_size reply_to_via return_code_mode
    rev_dns route_locks_size rundir run_dir sctp_children sctp_socket_rcvbuf sctp_socket_sndbuf
    sctp_autoclose sctp_send_ttl sctp_send_retries server_header server_signature server_id
    shm_force_alloc shm_mem shm mem shm_mem_size sip_warning socket socket_workers sock_group
    sock_mode sock_user sql_buffer_size statistics stun_allow_fp_fingerprint
    stun_allow_stun stun_refresh_interval syn_branch tcp_accept_aliases tcp_accept_haproxy
    tcp_accept_hep3 tcp_accept_iplimit tcp_accept_no_cl tcp_accept_unique tcp_async
    tcp_buf_write tcp_check_timer tcp_children tcp_clone_rcvbuf tcp_connect_timeout
    tcp_connection_lifetime tcp_connection_match tcp_conn_wq_max tcp_crlf_ping tcp_defer_accept
    tcp_delayed_ack tcp_fd_cache tcp_keepalive tcp_keepcnt tcp_keepidle tcp_keepintvl
    tcp_linger2 tcp_max_connections tcp_no_connect tcp_poll_method tcp_rd_buf_size
    tcp_reuse_port tcp_script_mode tcp_send_timeout tcp_source_ipv4 tcp_source_ipv6
    tcp_syncnt tcp_wait_data tcp_wq_blk_size tcp_wq_max tcp_wq_timeout tls_max_connections
    tls_port_no tls_threads_mode tos udp_mtu udp_mtu_try_proto udp_receiver_mode udp4_raw
    udp4_raw_mtu udp4_raw_ttl uri_host_extra_chars use_dns_cache use_dns_failover user uid
    user_agent_header verbose_startup version_table wait_worker1_mode wait_worker1_time
    wait_worker1_usleep workdir xavp_via_fields xavp_via_params xavp_via_reply_params
    xavu_via_params xavu_via_fields server_name
    """.split()
)
