{{distributed "catalogue" "cityHash64(unit_id)"}}
