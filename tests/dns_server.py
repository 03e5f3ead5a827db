"""A real DNS server on a loopback UDP port, with a zone tests edit as they go.

Like a recursive resolver that can't see past a CNAME's zone, it answers a TXT question at a
CNAME with the CNAME alone; the code under test must follow it. Names can be told to time out
(no answer at all) or to SERVFAIL.
"""

from __future__ import annotations

import asyncio

from dnslib import CNAME, QTYPE, RCODE, RR, TXT, DNSRecord


def split_txt(value: str) -> list[bytes]:
    """A TXT value as DNS carries it: character-strings of at most 255 bytes."""
    raw = value.encode()
    return [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]


class DnsServer(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.cnames: dict[str, str] = {}
        self.silent: set[str] = set()
        self.servfail: set[str] = set()
        self.port = 0
        self._transport: asyncio.DatagramTransport | None = None

    @staticmethod
    def _key(name: str) -> str:
        return name.lower().rstrip(".")

    def set_txt(self, name: str, *values: str) -> None:
        self.txt[self._key(name)] = list(values)

    def set_cname(self, name: str, target: str) -> None:
        self.cnames[self._key(name)] = target.rstrip(".")

    def remove(self, name: str) -> None:
        self.txt.pop(self._key(name), None)
        self.cnames.pop(self._key(name), None)

    def connection_made(self, transport) -> None:
        self._transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        request = DNSRecord.parse(data)
        qname = str(request.q.qname)
        name, qtype = self._key(qname), QTYPE[request.q.qtype]
        if name in self.silent:
            return
        reply = request.reply()
        if name in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
        elif name in self.cnames:
            reply.add_answer(RR(qname, QTYPE.CNAME, rdata=CNAME(self.cnames[name] + "."), ttl=60))
        elif name in self.txt:
            if qtype == "TXT":
                for value in self.txt[name]:
                    reply.add_answer(RR(qname, QTYPE.TXT, rdata=TXT(split_txt(value)), ttl=60))
        else:
            reply.header.rcode = RCODE.NXDOMAIN
        self._transport.sendto(reply.pack(), addr)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(lambda: self, local_addr=("127.0.0.1", 0))
        self.port = transport.get_extra_info("sockname")[1]

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"
