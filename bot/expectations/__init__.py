"""What salespeople may expect: how long requests take, their deadlines guarded, and whether they were solved."""
