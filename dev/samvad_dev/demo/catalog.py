"""Reference data for synthetic visits: Odisha's districts, departments, services and names.

Plain constants, no logic. Populations are 2011 census figures in lakh, used only to weight
how busy a district's offices are.
"""

from __future__ import annotations

from typing import NamedTuple

# Hand-laid tables: ruff format would put every name on its own line.
# fmt: off


class District(NamedTuple):
    name: str
    code: str
    population_lakh: int
    places: tuple[str, ...]  # headquarters town first, then block / sub-division towns


DISTRICTS: tuple[District, ...] = (
    District("Angul", "ANG", 13, ("Angul", "Talcher", "Athamallik", "Pallahara")),
    District("Balangir", "BLG", 16, ("Balangir", "Titlagarh", "Patnagarh", "Kantabanji")),
    District("Balasore", "BLS", 23, ("Balasore", "Jaleswar", "Soro", "Nilagiri")),
    District("Bargarh", "BRG", 15, ("Bargarh", "Padampur", "Attabira", "Sohela")),
    District("Bhadrak", "BDK", 15, ("Bhadrak", "Basudevpur", "Chandbali", "Dhamnagar")),
    District("Boudh", "BOD", 4, ("Boudh", "Kantamal", "Harabhanga")),
    District("Cuttack", "CTC", 26, ("Cuttack", "Athagarh", "Banki", "Salepur")),
    District("Deogarh", "DGH", 3, ("Deogarh", "Reamal", "Barkote")),
    District("Dhenkanal", "DKL", 12, ("Dhenkanal", "Kamakhyanagar", "Hindol", "Bhuban")),
    District("Gajapati", "GJP", 6, ("Paralakhemundi", "R. Udayagiri", "Mohana")),
    District("Ganjam", "GJM", 35, ("Berhampur", "Chhatrapur", "Aska", "Bhanjanagar")),
    District("Jagatsinghpur", "JSP", 11, ("Jagatsinghpur", "Paradip", "Tirtol", "Kujang")),
    District("Jajpur", "JJP", 18, ("Jajpur", "Vyasanagar", "Binjharpur", "Sukinda")),
    District("Jharsuguda", "JSG", 6, ("Jharsuguda", "Brajrajnagar", "Belpahar")),
    District("Kalahandi", "KLH", 16, ("Bhawanipatna", "Dharamgarh", "Junagarh", "Kesinga")),
    District("Kandhamal", "KDM", 7, ("Phulbani", "Baliguda", "G. Udayagiri")),
    District("Kendrapara", "KDP", 14, ("Kendrapara", "Pattamundai", "Rajkanika", "Aul")),
    District("Kendujhar", "KJR", 18, ("Keonjhar", "Anandapur", "Champua", "Joda")),
    District("Khordha", "KHU", 22, ("Bhubaneswar", "Khordha", "Jatni", "Tangi", "Balugaon")),
    District("Koraput", "KPT", 14, ("Koraput", "Jeypore", "Sunabeda", "Kotpad")),
    District("Malkangiri", "MKG", 6, ("Malkangiri", "Chitrakonda", "Kalimela")),
    District("Mayurbhanj", "MBJ", 25, ("Baripada", "Rairangpur", "Karanjia", "Udala")),
    District("Nabarangpur", "NBP", 12, ("Nabarangpur", "Umerkote", "Dabugam")),
    District("Nayagarh", "NYG", 10, ("Nayagarh", "Daspalla", "Odagaon", "Ranpur")),
    District("Nuapada", "NPD", 6, ("Nuapada", "Khariar", "Komna")),
    District("Puri", "PUR", 17, ("Puri", "Nimapada", "Pipili", "Konark")),
    District("Rayagada", "RGD", 10, ("Rayagada", "Gunupur", "Bissam Cuttack")),
    District("Sambalpur", "SBP", 10, ("Sambalpur", "Burla", "Kuchinda", "Rengali")),
    District("Subarnapur", "SNP", 6, ("Sonepur", "Binika", "Birmaharajpur", "Ulunda")),
    District("Sundargarh", "SNG", 21, ("Sundargarh", "Rourkela", "Rajgangpur", "Bonai")),
)


class Department(NamedTuple):
    code: str
    name: str
    short: str  # used in office codes and official ids: HLT-KHU-002, OD-HLT-48213
    weight: int  # relative share of the day's visits
    office_types: tuple[str, ...]  # name templates; the first is the district-headquarters office
    services: tuple[tuple[str, str], ...]  # (code, English name)


DEPARTMENTS: tuple[Department, ...] = (
    Department("health", "Health & Family Welfare", "HLT", 30,
        ("DHH {place}", "CHC {place}", "PHC {place}"),
        (("OPD", "Out-patient consultation"),
         ("IPD", "In-patient admission"),
         ("MATERNITY", "Maternity care (Janani Suraksha Yojana)"),
         ("BSKY", "Biju Swasthya Kalyan Yojana card"),
         ("DIAGNOSTICS", "Free diagnostics (Niramaya / Nidan)"))),
    Department("revenue", "Revenue & Disaster Management", "REV", 22,
        ("Tahasil Office, {place}",),
        (("MUTATION", "Mutation of land records"),
         ("INCOME_CERTIFICATE", "Income certificate"),
         ("CASTE_CERTIFICATE", "Caste certificate"),
         ("RESIDENCE_CERTIFICATE", "Residence certificate"),
         ("LAND_RECORD", "Record of Rights (ROR) copy"))),
    Department("police", "Home (Police)", "POL", 12,
        ("{place} Town Police Station", "{place} Police Station"),
        (("FIR", "First Information Report"),
         ("PASSPORT_VERIFICATION", "Passport verification"),
         ("CHARACTER_CERTIFICATE", "Character certificate"),
         ("COMPLAINT", "Petition / complaint"))),
    Department("panchayat", "Panchayati Raj & Drinking Water", "PRD", 12,
        ("Block Office, {place}",),
        (("JOB_CARD", "MGNREGS job card"),
         ("PMAY_G", "Pradhan Mantri Awas Yojana - Gramin"),
         ("WATER_CONNECTION", "Piped drinking-water connection"),
         ("PENSION", "Madhu Babu Pension Yojana"))),
    Department("food", "Food Supplies & Consumer Welfare", "FSC", 10,
        ("Civil Supplies Office, {place}", "Block Supply Office, {place}"),
        (("NEW_RATION_CARD", "New ration card"),
         ("RATION_CARD_UPDATE", "Ration card member addition / correction"),
         ("FAIR_PRICE_SHOP", "Fair price shop grievance"),
         ("PADDY_PROCUREMENT", "Farmer registration for paddy procurement"))),
    Department("transport", "Commerce & Transport (RTO)", "TRN", 8,
        ("RTO {place}", "ARTO {place}"),
        (("DRIVING_LICENCE", "Driving licence"),
         ("LEARNER_LICENCE", "Learner's licence"),
         ("VEHICLE_REGISTRATION", "Vehicle registration"),
         ("PERMIT", "Transport permit"),
         ("FITNESS_CERTIFICATE", "Vehicle fitness certificate"))),
    Department("energy", "Energy (electricity distribution)", "ENG", 5,
        ("Electrical Division, {place}", "Electrical Section, {place}"),
        (("NEW_CONNECTION", "New electricity connection"),
         ("BILL_CORRECTION", "Bill correction"),
         ("METER_REPLACEMENT", "Meter replacement"),
         ("LOAD_CHANGE", "Load enhancement / reduction"))),
    Department("housing", "Housing & Urban Development", "HUD", 3,
        ("Municipality, {place}", "NAC Office, {place}"),
        (("BUILDING_PLAN", "Building plan approval"),
         ("TRADE_LICENCE", "Trade licence"),
         ("HOLDING_TAX", "Holding tax assessment"),
         ("BIRTH_CERTIFICATE", "Birth / death certificate"))),
)

# Given names in romanised spelling, with the common variants departments actually write.
ODIA_FEMALE: tuple[str, ...] = (
    "Subhashree", "Subhasree", "Sasmita", "Sasmeeta", "Lipsa", "Mamata", "Pramila", "Sujata",
    "Gitanjali", "Rashmi", "Smruti", "Smrutirekha", "Bijayalaxmi", "Jayanti", "Sanghamitra",
    "Itishree", "Puspanjali", "Laxmipriya", "Madhusmita", "Sarojini", "Kuni", "Sabitri",
)
ODIA_MALE: tuple[str, ...] = (
    "Debasish", "Debashis", "Prakash", "Sarat", "Bijay", "Bikash", "Biswajit", "Santosh",
    "Manoj", "Pradeep", "Pradip", "Sanjay", "Ashok", "Subrat", "Soumya Ranjan", "Chittaranjan",
    "Jagannath", "Niranjan", "Rabindra", "Dillip", "Sudhansu", "Tapan",
)
HINDI_FEMALE: tuple[str, ...] = ("Sunita", "Pooja", "Priya", "Anita", "Rekha", "Neha", "Kavita")
HINDI_MALE: tuple[str, ...] = ("Ramesh", "Rajesh", "Anil", "Sunil", "Vikas", "Rahul", "Amit")
TRIBAL_FEMALE: tuple[str, ...] = ("Budhuni", "Sumitra", "Mangli", "Salomi", "Jamuna")
TRIBAL_MALE: tuple[str, ...] = ("Sukra", "Mangulu", "Budhu", "Sukanta", "Dasarath")

ODIA_SURNAMES: tuple[str, ...] = (
    "Mohanty", "Mahanty", "Pradhan", "Sahoo", "Sahu", "Behera", "Nayak", "Naik", "Panda",
    "Das", "Mishra", "Misra", "Swain", "Jena", "Rout", "Raut", "Biswal", "Patnaik", "Pattnaik",
    "Sethi", "Parida", "Samal", "Mallick", "Barik", "Dash", "Tripathy", "Senapati", "Lenka",
    "Sahani", "Pati",
)
HINDI_SURNAMES: tuple[str, ...] = ("Kumar", "Sharma", "Singh", "Yadav", "Gupta", "Agarwal")
TRIBAL_SURNAMES: tuple[str, ...] = (
    "Majhi", "Hembram", "Soren", "Murmu", "Tudu", "Kisku", "Munda", "Oram", "Gond", "Hansdah",
)

# Full names as written in Odia and Devanagari script: (name, gender).
ODIA_SCRIPT_NAMES: tuple[tuple[str, str], ...] = (
    ("ସୁଭଶ୍ରୀ ମହାନ୍ତି", "F"),
    ("ଦେବାଶିଷ ପ୍ରଧାନ", "M"),
    ("ସସ୍ମିତା ସାହୁ", "F"),
    ("ପ୍ରକାଶ ବେହେରା", "M"),
    ("ଲକ୍ଷ୍ମୀପ୍ରିୟା ନାୟକ", "F"),
    ("ରମେଶ ପଣ୍ଡା", "M"),
    ("ଗୀତାଞ୍ଜଳି ଦାସ", "F"),
    ("ସନ୍ତୋଷ ମିଶ୍ର", "M"),
    ("ମମତା ସ୍ୱାଇଁ", "F"),
    ("ବିଶ୍ୱଜିତ ଜେନା", "M"),
    ("ସୁଜାତା ରାଉତ", "F"),
    ("ଜଗନ୍ନାଥ ବିଶ୍ୱାଳ", "M"),
    ("ବୁଧୁନି ମାଝୀ", "F"),
    ("ସୁକ୍ରା ହେମ୍ବ୍ରମ", "M"),
)
DEVANAGARI_NAMES: tuple[tuple[str, str], ...] = (
    ("सुनीता शर्मा", "F"),
    ("रमेश कुमार", "M"),
    ("पूजा सिंह", "F"),
    ("अनिल यादव", "M"),
    ("राजेश गुप्ता", "M"),
    ("प्रिया अग्रवाल", "F"),
)

LANGUAGES: tuple[str, ...] = ("or", "hi", "en")  # Odia, Hindi, English

# Bhubaneswar, Cuttack, Berhampur, Sambalpur, Rourkela, Puri: STD codes for landline errors.
STD_CODES: tuple[str, ...] = ("0674", "0671", "0680", "0663", "0661", "06752")

# First two digits of Indian mobile series where every 10-digit number is a valid mobile in
# libphonenumber's metadata (checked by tests/unit/test_synthetic.py).
MOBILE_SERIES: tuple[str, ...] = (
    "60", "69", "70", "72", "74", "84", "85",
    "90", "91", "92", "93", "94", "95", "96", "97", "98", "99",
)
# fmt: on
