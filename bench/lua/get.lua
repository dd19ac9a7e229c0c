-- GET the path in $BENCH_PATH with the bearer token in $TOKEN.
wrk.method = "GET"
wrk.path = os.getenv("BENCH_PATH")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
