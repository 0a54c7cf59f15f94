"""atheris fuzz targets for the Remote ID / DroneID decoders (run by hand, not in CI).

    pip install atheris           # Apache-2.0; needs clang/libFuzzer
    python fuzz/remoteid_fuzz.py TARGET [libFuzzer options] [corpus dir]
    python fuzz/remoteid_fuzz.py odid-wifi-radiotap -runs=1000000 fuzz/corpus/wifi

TARGET is a link name (odid-wifi-radiotap, odid-wifi-beacon, odid-ble, odid-ble-nordic,
odid-ble-ll-phdr, odid-ble-ll, odid-pack) or decode_message, decode_pack, decode_batch, dji.
Anything but DecodeError (or a DecodeError with reason "decoder fault") is a finding.
Seed corpora: ``python fuzz/remoteid_fuzz.py --seed-corpus fuzz/corpus`` writes the frames of
../shared/data/remoteid into one folder per link (outside the repo's tracked files).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from dronewatch.model import Frame
from dronewatch.sources.dji.droneid_wifi import decode_droneid_ie
from dronewatch.sources.errors import DecodeError
from dronewatch.sources.remoteid import messages, pcap
from dronewatch.sources.remoteid.assemble import Aggregator
from dronewatch.sources.remoteid.batch import decode_batch
from dronewatch.sources.remoteid.links import LINKS

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "remoteid"


def target(name: str) -> Callable[[bytes], object]:
    if name in LINKS:
        agg = Aggregator()
        return lambda data: agg(Frame(sensor_id="fuzz", received_at=1.7e9, link=name, data=data))
    return {
        "decode_message": messages.decode_message,
        "decode_pack": messages.decode_pack,
        "decode_batch": decode_batch,
        "dji": decode_droneid_ie,
    }[name]


def seed_corpus(out: Path) -> None:
    for path in sorted(DATA.glob("*.pcap*")):
        for i, frame in enumerate(pcap.frames(path)):
            folder = out / frame.link
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{path.stem}-{i}").write_bytes(frame.data)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--seed-corpus":
        seed_corpus(Path(sys.argv[2]))
        return
    import atheris  # type: ignore[import-not-found]

    fn = target(sys.argv[1])

    def one(data: bytes) -> None:
        try:
            fn(data)
        except DecodeError as err:
            if err.reason == "decoder fault":
                raise

    atheris.instrument_all()  # coverage feedback from the decoders' Python code
    atheris.Setup([sys.argv[0], *sys.argv[2:]], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
