"""Kamailio's `mqueue` module as declared exports: Message queues in shared memory."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("mqueue", doc="Message queues in shared memory")

# Parameters
exports.param("db_url", str, None, doc="The URL to connect to database for loading values in mqueue table at start up and/or...")
exports.param("mqueue", str, None, multi=True, doc="Definition of a memory queue")
exports.param("mqueue_name", str, None, multi=True, doc="Definition of a memory queue, just by name.")
exports.param("mqueue_size", int, 0, doc="Definition of the size of all memory queues defined via \"mqueue_name\" parameter.")
exports.param("mqueue_addmode", int, 0, doc="Sets the mode to be used when adding a new (key,value) pair in the mqueue.")

# Functions
exports.function("mq_fetch", args=1, routes=RouteType.ANY, doc="Take oldest item from queue and fill $mqk(queue) and $mqv(queue) pseudo variables.")
exports.function("mq_add", args=3, routes=RouteType.ANY, doc="Add a new item (key, value) in the queue.")
exports.function("mq_pv_free", args=1, routes=RouteType.ANY, doc="Free the item fetched in pseudo-variables.")
exports.function("mq_size", args=1, routes=RouteType.ANY, doc="Returns the current number of elements in the mqueue.")

# Pseudo-variables
exports.pv("mqk", inner=True, doc="key of the item fetched from a queue ($mqk(q))")
exports.pv("mqv", inner=True, doc="value of the item fetched from a queue ($mqv(q))")
exports.pv("mq_size", inner=True, doc="number of items in a queue ($mq_size(q))")

# RPC commands
exports.rpc("mqueue.get_size", "Get the size of a memory queue.", ("name",))
exports.rpc("mqueue.fetch", "Fetch a key-value pair from a memory queue.", ("name",))
exports.rpc("mqueue.get_sizes", "Get the size for all memory queues.", ())
