#!/usr/bin/env python3
"""One round trip with Eclipse Paho (the Python MQTT client) against an mqfleet gateway.

Connects (MQTT 3.1.1 or 5.0, over TCP or WebSocket, optionally TLS), subscribes to a topic with
QoS 1, publishes one QoS 0 and one QoS 1 message to it and waits for both. Prints one JSON line
per event (connack, suback, puback, message) and exits 0 when both messages came back, 1 otherwise.
Run by test/e2e/clients.test.ts; works with paho-mqtt 1.6 and 2.x.
"""
import argparse
import json
import sys
import threading

import paho.mqtt.client as mqtt

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--transport", choices=["tcp", "websockets"], default="tcp")
parser.add_argument("--path", default="/mqtt")
parser.add_argument("--cafile")
parser.add_argument("--protocol", choices=["3.1.1", "5"], default="5")
parser.add_argument("--client-id", required=True)
parser.add_argument("--topic", required=True)
parser.add_argument("--timeout", type=float, default=10.0)
args = parser.parse_args()

v5 = args.protocol == "5"
protocol = mqtt.MQTTv5 if v5 else mqtt.MQTTv311
kwargs = {"client_id": args.client_id, "protocol": protocol, "transport": args.transport}
if not v5:
    kwargs["clean_session"] = True
if hasattr(mqtt, "CallbackAPIVersion"):  # paho-mqtt 2.x
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION1, **kwargs)
else:
    client = mqtt.Client(**kwargs)
if args.transport == "websockets":
    client.ws_set_options(path=args.path)
if args.cafile:
    client.tls_set(ca_certs=args.cafile)

done = threading.Event()
expected = {"qos 0", "qos 1"}
received = set()


def say(**event):
    print(json.dumps(event), flush=True)


def on_connect(c, userdata, flags, rc, properties=None):
    code = rc.value if hasattr(rc, "value") else int(rc)
    say(event="connack", rc=code)
    if code != 0:
        done.set()
        return
    c.subscribe(args.topic, qos=1)


def on_subscribe(c, userdata, mid, granted, properties=None):
    codes = [g.value if hasattr(g, "value") else int(g) for g in granted]
    say(event="suback", granted=codes)
    c.publish(args.topic, "qos 0", qos=0)
    c.publish(args.topic, "qos 1", qos=1)


def on_publish(c, userdata, mid):
    say(event="puback", mid=mid)


def on_message(c, userdata, msg):
    payload = msg.payload.decode()
    say(event="message", topic=msg.topic, payload=payload, qos=msg.qos)
    received.add(payload)
    if expected <= received:
        done.set()


client.on_connect = on_connect
client.on_subscribe = on_subscribe
client.on_publish = on_publish
client.on_message = on_message
if v5:
    client.connect(args.host, args.port, keepalive=30, clean_start=True)
else:
    client.connect(args.host, args.port, keepalive=30)
client.loop_start()
ok = done.wait(args.timeout) and expected <= received
client.disconnect()
client.loop_stop()
say(event="done", ok=ok)
sys.exit(0 if ok else 1)
