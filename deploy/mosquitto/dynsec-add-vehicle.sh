#!/bin/sh
# Adds one vehicle to mosquitto's dynamic-security plugin: a login named after its vehicle id and a
# role confined to its own subtree ecu-ai/v1/{id}/# (send, receive and subscribe there, nothing
# else: no other vehicle's topics, no $share group).
#
#   MOSQUITTO_CTRL_OPTS="-h 127.0.0.1 -p 1883 -u admin -P ADMIN_PASSWORD" \
#   ECU_AI_VEHICLE_PASSWORD=... ./dynsec-add-vehicle.sh VIN123
#
# One role per vehicle: the plugin of mosquitto 2.0 does not substitute %u in role ACLs.
set -eu
id="${1:?usage: dynsec-add-vehicle.sh VEHICLE_ID (password in ECU_AI_VEHICLE_PASSWORD)}"
: "${ECU_AI_VEHICLE_PASSWORD:?set ECU_AI_VEHICLE_PASSWORD}"
case "$id" in
  *[!A-Za-z0-9_-]* | "") echo "vehicle id \"$id\": letters, digits, _ and - only" >&2; exit 2 ;;
esac
ctl() { mosquitto_ctrl ${MOSQUITTO_CTRL_OPTS:-} dynsec "$@"; }

ctl createRole "vehicle-$id"
ctl addRoleACL "vehicle-$id" publishClientSend "ecu-ai/v1/$id/#" allow
ctl addRoleACL "vehicle-$id" publishClientReceive "ecu-ai/v1/$id/#" allow
ctl addRoleACL "vehicle-$id" subscribePattern "ecu-ai/v1/$id/#" allow
ctl createClient "$id" -p "$ECU_AI_VEHICLE_PASSWORD"
ctl addClientRole "$id" "vehicle-$id"
