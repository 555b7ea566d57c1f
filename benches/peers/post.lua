-- wrk script: POST the file named by the first argument to the URL, with the Content-Type of
-- the second (benches/peers/run.sh, POST /verify throughput).
function init(args)
  local f = assert(io.open(args[1], "rb"))
  wrk.body = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = args[2]
end
