"""Made-up names and languages for synthetic patients of a clinic in Hyderabad.

Given and family names are drawn independently from lists of common names of each community
(Telugu, Hindi-speaking north Indian, Hyderabadi Urdu-speaking Muslim, and others from across
India), so a full name is a chance combination: any likeness to a real person is chance. The
preferred language follows the community, with English common throughout.
"""

from __future__ import annotations

from dataclasses import dataclass
from random import Random

from painpath.domain.records import Language
from painpath.domain.vocabulary import Sex


@dataclass(frozen=True)
class Community:
    """Names of one community, and how its patients choose a language (weights by code)."""

    weight: int
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]
    languages: tuple[tuple[Language, int], ...]


COMMUNITIES: tuple[Community, ...] = (
    Community(
        weight=50,
        female=(
            "Lakshmi",
            "Padma",
            "Sravani",
            "Swathi",
            "Anusha",
            "Bhavani",
            "Sirisha",
            "Madhavi",
            "Sujatha",
            "Vijaya",
            "Radhika",
            "Haritha",
            "Keerthi",
            "Sailaja",
            "Aruna",
            "Kavitha",
            "Sridevi",
            "Mounika",
            "Divya",
            "Jyothi",
        ),
        male=(
            "Srinivas",
            "Venkatesh",
            "Ramesh",
            "Suresh",
            "Naresh",
            "Ravi Teja",
            "Prasad",
            "Nagaraju",
            "Sai Kiran",
            "Chaitanya",
            "Mahesh",
            "Anil Kumar",
            "Krishna",
            "Srikanth",
            "Venkata Ramana",
            "Raghavendra",
            "Mallesh",
            "Praveen",
            "Harish",
            "Kiran",
        ),
        family=(
            "Reddy",
            "Rao",
            "Naidu",
            "Goud",
            "Chowdary",
            "Varma",
            "Yadav",
            "Sastry",
            "Murthy",
            "Raju",
            "Kumar",
            "Babu",
            "Shetty",
            "Pulla",
            "Kondapalli",
            "Gundlapalli",
            "Vemula",
            "Bandi",
            "Kotha",
            "Chinthala",
        ),
        languages=(("te", 70), ("en", 25), ("hi", 5)),
    ),
    Community(
        weight=20,
        female=(
            "Sunita",
            "Kamala",
            "Pooja",
            "Neha",
            "Anjali",
            "Rekha",
            "Meena",
            "Savita",
            "Priya",
            "Geeta",
            "Rashmi",
            "Shalini",
        ),
        male=(
            "Rajesh",
            "Amit",
            "Sanjay",
            "Vikas",
            "Rakesh",
            "Manoj",
            "Ashok",
            "Deepak",
            "Sunil",
            "Vinod",
            "Arun",
            "Pankaj",
        ),
        family=(
            "Agarwal",
            "Jain",
            "Sharma",
            "Gupta",
            "Verma",
            "Singh",
            "Mishra",
            "Tiwari",
            "Maheshwari",
            "Saxena",
            "Bansal",
            "Kulkarni",
        ),
        languages=(("hi", 60), ("en", 35), ("te", 5)),
    ),
    Community(
        weight=22,
        female=(
            "Ayesha",
            "Fatima",
            "Sana",
            "Nazia",
            "Rukhsana",
            "Shabana",
            "Heena",
            "Farheen",
            "Zainab",
            "Nasreen",
            "Tabassum",
            "Yasmeen",
        ),
        male=(
            "Mohammed Irfan",
            "Syed Ali",
            "Abdul Rahman",
            "Imran",
            "Faisal",
            "Sameer",
            "Zubair",
            "Khaja",
            "Mujtaba",
            "Asif",
            "Rafiq",
            "Salman",
        ),
        family=(
            "Khan",
            "Siddiqui",
            "Hussain",
            "Quadri",
            "Ansari",
            "Baig",
            "Shaikh",
            "Pasha",
            "Mirza",
            "Farooqui",
            "Hashmi",
            "Osmani",
        ),
        languages=(("hi", 55), ("en", 35), ("te", 10)),
    ),
    Community(
        weight=8,
        female=("Deepa", "Anitha", "Lavanya", "Sneha", "Mary", "Ritu", "Shreya", "Nandini"),
        male=("Joseph", "Arjun", "Karthik", "Subramanian", "Rohan", "Gautam", "Prakash", "Vivek"),
        family=(
            "Iyer",
            "Menon",
            "Pillai",
            "Fernandes",
            "D'Souza",
            "Banerjee",
            "Patil",
            "Nair",
        ),
        languages=(("en", 85), ("hi", 10), ("te", 5)),
    ),
)

_WEIGHTS = tuple(community.weight for community in COMMUNITIES)


@dataclass(frozen=True)
class Identity:
    given_name: str
    family_name: str
    preferred_language: Language


def identity(rng: Random, sex: Sex) -> Identity:
    """A made-up name fitting the patient's sex, and a preferred language."""
    community = rng.choices(COMMUNITIES, weights=_WEIGHTS)[0]
    given = rng.choice(community.female if sex is Sex.FEMALE else community.male)
    codes, weights = zip(*community.languages, strict=True)
    language = rng.choices(codes, weights=weights)[0]
    return Identity(given, rng.choice(community.family), language)
