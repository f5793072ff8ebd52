-- On a cluster, usage_facts is read and written through a Distributed table
-- sharded by unit, so every version of a (unit, day) lives on one shard.
{{distributed "usage_facts" "cityHash64(unit_id)"}}
