#!/usr/bin/env python3
"""docs/examples/sign.mjs reproduces the proofs of an independent implementation.

For each signed example in tests/fixtures/examples (a product credential, a
precursor credential, an event), strips the proof, signs the rest with
sign.mjs using the signer's test seed (parties.json) and the proof's created
time, and compares the result with the example, proof included, byte for
byte once canonical. Exit 0 when all match. Run by ctest (label unit).
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "tests", "fixtures", "examples")


def main():
    with open(os.path.join(EXAMPLES, "parties.json"), encoding="utf-8") as f:
        parties = json.load(f)["parties"]
    seeds = {p["verificationMethod"]: p["testSeedHex"] for p in parties.values()}
    failures = 0
    for name in ("pharma-credential.json", "precursor-credential.json", "shipping-event.json"):
        with open(os.path.join(EXAMPLES, name), encoding="utf-8") as f:
            signed = json.load(f)
        proof = signed.pop("proof")
        run = subprocess.run(
            ["node", os.path.join(ROOT, "docs", "examples", "sign.mjs"),
             seeds[proof["verificationMethod"]], proof["created"]],
            input=json.dumps(signed), capture_output=True, text=True, check=False)
        if run.returncode != 0:
            print(f"{name}: sign.mjs failed: {run.stderr.strip()}")
            failures += 1
            continue
        ours = json.loads(run.stdout)
        signed["proof"] = proof
        if ours != signed:
            print(f"{name}: differs; expected proofValue {proof['proofValue']}, "
                  f"got {ours.get('proof', {}).get('proofValue')}")
            failures += 1
        else:
            print(f"{name}: proofValue {proof['proofValue'][:16]}… reproduced")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
