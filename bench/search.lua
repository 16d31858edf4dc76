-- wrk script: GET one fixed path given as the script argument (a catalog search URL).
local path
function init(args)
  path = args[1]
end
function request()
  return wrk.format("GET", path)
end
