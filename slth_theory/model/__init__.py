"""The network model: networks, tickets, initialization schemes and the ``.npz`` file format."""
