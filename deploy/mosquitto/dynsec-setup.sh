#!/bin/sh
# Gives mosquitto 2's dynamic-security plugin the roles of the ecu-ai topic layout, and the cloud
# side's login (workers and ingest share it). Run once, against a broker started with
# mosquitto.conf from this folder and a dynamic-security.json made by `mosquitto_ctrl dynsec init`.
#
#   MOSQUITTO_CTRL_OPTS="-h 127.0.0.1 -p 1883 -u admin -P ADMIN_PASSWORD" \
#   ECU_AI_CLOUD_PASSWORD=... ./dynsec-setup.sh cloud
#
# Why not an acl_file: mosquitto 2.0's acl_file never refuses a SUBSCRIBE, it only filters each
# delivery by the read rules. A vehicle could then join the workers' share group
# ($share/ecu-ai-workers/...): the broker hands it its share of every vehicle's requests and drops
# them on the read check, so they never reach a worker. The plugin checks subscriptions, with the
# $share/{group}/ prefix, so a vehicle is refused (SUBACK "not authorized").
set -eu
user="${1:?usage: dynsec-setup.sh CLOUD_USERNAME (password in ECU_AI_CLOUD_PASSWORD)}"
: "${ECU_AI_CLOUD_PASSWORD:?set ECU_AI_CLOUD_PASSWORD}"
ctl() { mosquitto_ctrl ${MOSQUITTO_CTRL_OPTS:-} dynsec "$@"; }

# Nothing is allowed unless a role says so, receiving included.
ctl setDefaultACLAccess publishClientSend deny
ctl setDefaultACLAccess publishClientReceive deny
ctl setDefaultACLAccess subscribe deny
ctl setDefaultACLAccess unsubscribe allow

ctl createRole ecu-ai-cloud
# Inference workers: the share group, the requests, and answers to any vehicle's response topic.
ctl addRoleACL ecu-ai-cloud subscribeLiteral '$share/ecu-ai-workers/ecu-ai/v1/+/infer/request/+' allow
ctl addRoleACL ecu-ai-cloud publishClientReceive 'ecu-ai/v1/+/infer/request/+' allow
ctl addRoleACL ecu-ai-cloud publishClientSend 'ecu-ai/v1/+/infer/response' allow
# Ingest: what vehicles report, and the receipts back.
for t in telemetry snippets ota/status; do
  ctl addRoleACL ecu-ai-cloud subscribeLiteral "ecu-ai/v1/+/$t" allow
  ctl addRoleACL ecu-ai-cloud publishClientReceive "ecu-ai/v1/+/$t" allow
done
ctl addRoleACL ecu-ai-cloud publishClientSend 'ecu-ai/v1/+/receipts' allow
# Model campaigns go out from the cloud, retained.
ctl addRoleACL ecu-ai-cloud publishClientSend 'ecu-ai/v1/+/ota/campaign' allow

ctl createClient "$user" -p "$ECU_AI_CLOUD_PASSWORD"
ctl addClientRole "$user" ecu-ai-cloud
