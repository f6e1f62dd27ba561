print("compare-peers: areas to come")
