"""Kamailio's `geoip` module as declared exports: GeoIP lookups of IP addresses."""

from siprouter.core.exports import ModuleExports, RouteType

exports = ModuleExports("geoip", doc="GeoIP lookups of IP addresses")

# Parameters
exports.param("path", str, None, doc="Path to the GeoIP database file.")

# Functions
exports.function("geoip_match", args=2, routes=RouteType.ANY, doc="Match ipaddr against the GeoIP database and set the pvc container.")

# Pseudo-variables
exports.pv("gip", inner=True, doc="GeoIP match attributes ($gip(id=>cc) ...)")
