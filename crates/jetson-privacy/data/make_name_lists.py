#!/usr/bin/env python3
"""Writes first_names.txt, surnames.txt and name_words.txt (see README.md beside this file).

Needs the `Faker` and `names` packages from PyPI and Debian's `wamerican` word list:
    pip install Faker==40.63.0 names==0.3.0 && apt-get install wamerican
    python3 crates/jetson-privacy/data/make_name_lists.py
The output is sorted and deterministic for those versions.
"""
import os
import re

import faker.providers.person as person
import names

HERE = os.path.dirname(os.path.abspath(__file__))
# Names written in the Latin alphabet; a name must start with a letter and hold at least three.
LATIN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ'\-]{2,}$")


def faker_names(attrs):
    out = set()
    base = os.path.dirname(person.__file__)
    for loc in sorted(os.listdir(base)):
        if not os.path.isdir(os.path.join(base, loc)) or loc.startswith("_"):
            continue
        module = __import__(f"faker.providers.person.{loc}", fromlist=["Provider"])
        for attr in attrs:
            value = module.Provider.__dict__.get(attr)
            if isinstance(value, (list, tuple, dict, set, frozenset)):
                out.update(n for n in value if isinstance(n, str) and LATIN.match(n))
    return {n.lower() for n in out}


def census(file, top=None):
    path = os.path.join(os.path.dirname(names.__file__), file)
    rows = [line.split()[0].lower() for line in open(path) if line.strip()]
    return set(rows[:top] if top else rows)


# Everyday English words (the lower-case entries of the word list): a name that is also one of these
# ("will", "hope", "park", "black") needs more evidence than the word alone.
words = {w.strip() for w in open("/usr/share/dict/words") if w[:1].islower() and "'" not in w}

# Capitalised words that are places, languages, days and months, not people, though some are also
# surnames somewhere ("English", "Spain", "Friday").
NOT_PEOPLE = set("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june july
august september october november december
english german french spanish italian dutch polish czech swedish danish norwegian finnish icelandic
portuguese russian ukrainian greek turkish arabic hebrew chinese japanese korean hindi irish scottish
welsh british american canadian mexican brazilian australian european african asian
america canada mexico brazil argentina chile peru colombia spain portugal france germany austria
switzerland italy england scotland wales ireland britain holland belgium netherlands denmark norway
sweden finland iceland poland russia ukraine greece turkey egypt israel india china japan korea
australia zealand africa europe asia london paris berlin madrid rome vienna prague dublin oslo
stockholm helsinki lisbon warsaw moscow athens boston chicago houston dallas denver phoenix seattle
portland austin atlanta miami orlando vegas toronto vancouver montreal sydney melbourne brisbane
perth auckland tokyo kyoto osaka beijing shanghai delhi mumbai cairo lagos nairobi florida texas
california georgia virginia carolina washington jersey york dakota montana nevada oregon utah idaho
arizona kansas ohio indiana illinois michigan wisconsin minnesota iowa missouri kentucky tennessee
alabama mississippi louisiana arkansas oklahoma nebraska wyoming colorado alaska hawaii maine vermont
okta gantt slack zoom google apple microsoft amazon android linux windows chrome firefox safari
""".split())

first = faker_names(["first_names", "first_names_male", "first_names_female", "first_names_nonbinary",
                     "first_romanized_names", "first_romanized_names_male", "first_romanized_names_female"])
first |= census("dist.female.first", 1500) | census("dist.male.first", 900)
last = faker_names(["last_names", "last_names_male", "last_names_female", "last_romanized_names"]) | census("dist.all.last", 20000)
# Proper nouns in the word list (places, brands, famous people) are kept as surnames only when they
# are common US surnames.
proper = {w.strip().lower() for w in open("/usr/share/dict/words") if w[:1].isupper() and "'" not in w}
last -= (proper - census("dist.all.last", 5000)) | NOT_PEOPLE
first -= NOT_PEOPLE

with open(os.path.join(HERE, "first_names.txt"), "w") as f:
    f.write("\n".join(sorted(first)) + "\n")
with open(os.path.join(HERE, "surnames.txt"), "w") as f:
    f.write("\n".join(sorted(last - first - words)) + "\n")
with open(os.path.join(HERE, "name_words.txt"), "w") as f:
    f.write("\n".join(sorted((first | last) & words)) + "\n")
print(len(first), "first names,", len(last - first - words), "surnames,", len((first | last) & words), "that are words")
