"""`python -m peer_referrals`: run the referrals service's HTTP API and event handlers."""

from peer_referrals.app import create_app
from peer_referrals.settings import ReferralsSettings
from peer_shared.serve import serve

if __name__ == "__main__":
    serve(create_app, ReferralsSettings())
