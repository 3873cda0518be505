module hoot.local/netcheck

go 1.26.0
