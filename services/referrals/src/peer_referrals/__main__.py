"""`python -m peer_referrals`: run the referrals service's HTTP API and event handlers."""

from peer_referrals.service import SERVICE
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(SERVICE)
