"""Kamailio's `msilo` module as declared exports: Offline message storage (store and dump on registration)."""

from siprouter.core.exports import REQ_FAIL, ModuleExports, RouteType

exports = ModuleExports("msilo", doc="Offline message storage (store and dump on registration)")

# Parameters
exports.param("db_url", str, "mysql://kamailio:kamailiorw@localhost/kamailio", doc="Database URL.")
exports.param("db_table", str, "silo", doc="The name of table where to store the messages.")
exports.param("from_address", str, None, doc="The SIP address used to inform users that destination of their message is not online and...")
exports.param("contact_hdr", str, None, doc="The value of the “Contact” header (including header name and ending \\r\\n) to be added in...")
exports.param("extra_hdrs", str, None, doc="Extra headers (each ending with \\r\\n) to be added in messages sent from silo by m_dump.")
exports.param("content_type_hdr", str, None, doc="The value of the Content-Type header (including header name and ending \\r\\n) to be added...")
exports.param("offline_message", str, None, doc="The body of the notification message.")
exports.param("reminder", str, None, doc="The SIP address used to send reminder messages.")
exports.param("outbound_proxy", str, None, doc="The SIP address used as next hop when sending the message.")
exports.param("expire_time", int, 259200, doc="Expire time of stored messages - seconds.")
exports.param("check_time", int, 60, doc="Timer interval to check if dumped messages are sent OK - seconds.")
exports.param("send_time", int, 0, doc="Timer interval in seconds to check if there are reminder messages.")
exports.param("clean_period", int, 10, doc="Number of “check_time” cycles when to check if there are expired messages in database.")
exports.param("use_contact", int, 1, doc="Turns on/off the usage of the “Contact” address to send notification back to sender whose...")
exports.param("sc_mid", str, "mid", doc="The name of the column in silo table used to store the message id.")
exports.param("sc_from", str, "src_addr", doc="The name of the column in silo table, storing the source address.")
exports.param("sc_to", str, "dst_addr", doc="The name of the column in silo table, storing the destination address.")
exports.param("sc_uri_user", str, "username", doc="The name of the column in silo table, storing the user name.")
exports.param("sc_uri_host", str, "domain", doc="The name of the column in silo table, storing the domain.")
exports.param("sc_body", str, "body", doc="The name of the column storing the message body in silo table.")
exports.param("sc_ctype", str, "ctype", doc="The name of the column in silo table, storing content type.")
exports.param("sc_exp_time", str, "exp_time", doc="The name of the column in silo table, storing the expire time of the message.")
exports.param("sc_inc_time", str, "inc_time", doc="The name of the column in silo table, storing the incoming time of the message.")
exports.param("sc_snd_time", str, "snd_time", doc="The name of the column in silo table, storing the send time for the reminder.")
exports.param("sc_stored_hdrs", str, "extra_hdrs", doc="The name of the column in silo table, storing the extra headers.")
exports.param("snd_time_avp", str, None, doc="The name of an AVP which may contain the time when to sent the received message as...")
exports.param("extra_hdrs_avp", str, None, doc="Name of an AVP which may contain extra headers that are stored with the message when...")
exports.param("add_date", int, 1, doc="Whether to add as prefix the date when the message was stored.")
exports.param("max_messages", int, 0, doc="Maximum number of stored message for an AoR.")
exports.param("add_contact", int, 0, doc="Whether to add contact header to generated messages.")
exports.param("skip_notification_flag", int, -1, doc="Flag to mark the message for which no notification should be sent back to sender when...")

# Functions
exports.function("m_store", args=(0, 1), routes=REQ_FAIL, doc="The method stores certain parts of the current SIP request (it should be called when the...")
exports.function("m_dump", args=(0, 1), routes=RouteType.REQUEST, doc="The method sends stored messages for the SIP user that has registered to the contact...")

exports.counters.update({
    "msilo.stored_messages": "The number of messages stored by msilo.",
    "msilo.dumped_messages": "The number of dumped messages.",
    "msilo.failed_messages": "The number of failed dumped messages.",
    "msilo.dumped_reminders": "The number of dumped reminder messages.",
    "msilo.failed_reminders": "The number of failed reminder messages.",
})
