"""Expected values of HAVERSINE(lat1, lon1, lat2, lon2) for RequestInputsTest, computed independently
of Strata with Python's math module (same sphere: the mean Earth radius 6371.0088 km).
Run: python3 haversine.py > haversine.csv"""
import math

R = 6371.0088
CASES = [
    (33.9425, -118.4081, 41.9786, -87.9048),   # LAX -> ORD
    (41.9786, -87.9048, 41.9786, -87.9048),    # same point
    (40.6413, -73.7781, 51.4700, -0.4543),     # JFK -> LHR
    (0.0, 0.0, 0.0, 180.0),                    # half the equator
    (89.9, 0.0, -89.9, 180.0),                 # near-antipodal through the poles
    (-33.9461, 151.1772, 37.6213, -122.3790),  # SYD -> SFO, across the date line
    (10.0, 10.0, 10.0, 10.000001),             # a tenth of a metre
]

def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(1.0, h)))

print("lat1,lon1,lat2,lon2,km")
for c in CASES:
    print(",".join(repr(x) for x in c) + "," + repr(haversine(*c)))
